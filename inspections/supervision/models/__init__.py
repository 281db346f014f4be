from inspections.supervision.models.directives import Directive, DirectiveEvidence, DirectiveStepRecord, Referral
from inspections.supervision.models.inspections import Inspection, InspectionItem
from inspections.supervision.models.inspectors import InspectorCertificate
from inspections.supervision.models.plans import AnnualPlan, Campaign, PlanTask
from inspections.supervision.models.recommendations import (
    Recommendation,
    RecommendationAttachment,
    RecommendationStep,
)
from inspections.supervision.models.risk import KeyUnit, UnitRisk

__all__ = ["AnnualPlan", "Campaign", "Directive", "DirectiveEvidence", "DirectiveStepRecord", "Inspection",
           "InspectionItem", "InspectorCertificate", "KeyUnit", "PlanTask", "Recommendation",
           "RecommendationAttachment", "RecommendationStep", "Referral", "UnitRisk"]
