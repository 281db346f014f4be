from django.urls import path

from inspections.routines import reference_views, views, views_daily

app_name = "routines"

urlpatterns = [
    path("my/risk-list/", views.my_risk_list, name="my_risk_list"),
    path("units/<int:pk>/risk-list/", views.RiskListView.as_view(), name="risk_list"),
    path("units/<int:pk>/risk-list/versions/", views.RiskListHistoryView.as_view(), name="risk_list_history"),
    path("units/<int:pk>/risk-list/edit/", views.RiskListEditView.as_view(), name="risk_list_edit"),
    path("units/<int:pk>/risk-list/generate/", views.RiskListGenerateView.as_view(), name="risk_list_generate"),
    path("risk-list-versions/<int:pk>/", views.RiskListVersionView.as_view(), name="risk_list_version"),
    path("my/daily-check/", views_daily.MyDailyCheckView.as_view(), name="my_daily_check"),
    path("daily-checks/", views_daily.DailyCheckListView.as_view(), name="daily_check_list"),
    path("daily-checks/<int:pk>/", views_daily.DailyCheckDetailView.as_view(), name="daily_check"),
    path("check-photos/<int:pk>/", views_daily.CheckPhotoView.as_view(), name="check_photo"),
    path("units/<int:pk>/verify/", views_daily.ChainVerifyView.as_view(), name="chain_verify"),
    path("routines/references/", reference_views.reference_list, name="references"),
    path("routines/references/<slug:doc>.pdf", reference_views.reference_download, {"fmt": "pdf"},
         name="reference_pdf"),
    path("routines/references/<slug:doc>.xlsx", reference_views.reference_download, {"fmt": "xlsx"},
         name="reference_xlsx"),
]
