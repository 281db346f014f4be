from django.urls import path

from inspections.supervision import recommendation_views as views

app_name = "recommendations"

urlpatterns = [
    path("recommendations/", views.RecommendationListView.as_view(), name="recommendation_list"),
    path("recommendations/new/", views.RecommendationCreateView.as_view(), name="recommendation_create"),
    path("recommendations/<int:pk>/", views.RecommendationDetailView.as_view(), name="recommendation_detail"),
    path("recommendations/<int:pk>/route/", views.RecommendationRouteView.as_view(), name="recommendation_route"),
    path("recommendations/<int:pk>/measures/", views.RecommendationMeasuresView.as_view(),
         name="recommendation_measures"),
    path("recommendations/<int:pk>/reply/", views.RecommendationReplyView.as_view(), name="recommendation_reply"),
    path("recommendations/<int:pk>/archive/", views.RecommendationArchiveView.as_view(),
         name="recommendation_archive"),
    path("recommendations/<int:pk>/reply.pdf", views.ReplyLetterPdfView.as_view(), name="reply_letter"),
    path("recommendations/attachments/<int:pk>/", views.AttachmentFileView.as_view(), name="attachment"),
]
