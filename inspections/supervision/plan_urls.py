from django.urls import path

from inspections.supervision import plan_views as views

app_name = "plans"

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/redraw/", views.PlanRedrawView.as_view(), name="plan_redraw"),
    path("plans/<int:pk>/approve/", views.PlanApproveView.as_view(), name="plan_approve"),
    path("plans/<int:pk>/publish/", views.PlanPublishView.as_view(), name="plan_publish"),
    path("plans/<int:pk>/plan.pdf", views.PlanPdfView.as_view(), name="plan_pdf"),
    path("plan-tasks/", views.TaskListView.as_view(), name="task_list"),
    path("plan-tasks/<int:pk>/complete/", views.TaskCompleteView.as_view(), name="task_complete"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("public/inspection-results/", views.PublicResultsView.as_view(), name="public_results"),
]
