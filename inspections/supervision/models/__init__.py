from inspections.supervision.models.inspectors import InspectorCertificate
from inspections.supervision.models.recommendations import (
    Recommendation,
    RecommendationAttachment,
    RecommendationStep,
)
from inspections.supervision.models.risk import KeyUnit, UnitRisk

__all__ = ["InspectorCertificate", "KeyUnit", "Recommendation", "RecommendationAttachment", "RecommendationStep",
           "UnitRisk"]
