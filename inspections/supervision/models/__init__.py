from inspections.supervision.models.inspectors import InspectorCertificate
from inspections.supervision.models.plans import AnnualPlan, Campaign, PlanTask
from inspections.supervision.models.recommendations import (
    Recommendation,
    RecommendationAttachment,
    RecommendationStep,
)
from inspections.supervision.models.risk import KeyUnit, UnitRisk

__all__ = ["AnnualPlan", "Campaign", "InspectorCertificate", "KeyUnit", "PlanTask", "Recommendation",
           "RecommendationAttachment", "RecommendationStep", "UnitRisk"]
