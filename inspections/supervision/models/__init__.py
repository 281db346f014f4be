from inspections.supervision.models.recommendations import (
    Recommendation,
    RecommendationAttachment,
    RecommendationStep,
)

__all__ = ["Recommendation", "RecommendationAttachment", "RecommendationStep"]
