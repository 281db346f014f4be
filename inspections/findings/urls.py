from django.urls import path

from inspections.findings import views

app_name = "findings"

urlpatterns = [
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/new/", views.FindingCreateView.as_view(), name="finding_create"),
    path("findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding_detail"),
    path("findings/<int:pk>/rectify/", views.FindingRectifyView.as_view(), name="finding_rectify"),
    path("findings/<int:pk>/verify/", views.FindingVerifyView.as_view(), name="finding_verify"),
    path("findings/<int:pk>/reject/", views.FindingRejectView.as_view(), name="finding_reject"),
    path("findings/evidence/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence"),
]
