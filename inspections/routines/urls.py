from django.urls import path

from inspections.routines import reference_views, views

app_name = "routines"

urlpatterns = [
    path("my/risk-list/", views.my_risk_list, name="my_risk_list"),
    path("units/<int:pk>/risk-list/", views.RiskListView.as_view(), name="risk_list"),
    path("units/<int:pk>/risk-list/versions/", views.RiskListHistoryView.as_view(), name="risk_list_history"),
    path("units/<int:pk>/risk-list/edit/", views.RiskListEditView.as_view(), name="risk_list_edit"),
    path("units/<int:pk>/risk-list/generate/", views.RiskListGenerateView.as_view(), name="risk_list_generate"),
    path("risk-list-versions/<int:pk>/", views.RiskListVersionView.as_view(), name="risk_list_version"),
    path("routines/references/", reference_views.reference_list, name="references"),
    path("routines/references/<slug:doc>.pdf", reference_views.reference_download, {"fmt": "pdf"},
         name="reference_pdf"),
    path("routines/references/<slug:doc>.xlsx", reference_views.reference_download, {"fmt": "xlsx"},
         name="reference_xlsx"),
]
