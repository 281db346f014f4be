from django.urls import path

from inspections.routines import pdf_views, reference_views, views, views_daily, views_periodic

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
    path("daily-checks/<int:pk>.pdf", pdf_views.DailyCheckPdfView.as_view(), name="daily_check_pdf"),
    path("weekly-reports/<int:pk>.pdf", pdf_views.WeeklyReportPdfView.as_view(), name="weekly_report_pdf"),
    path("monthly-minutes/<int:pk>.pdf", pdf_views.MonthlyMinutesPdfView.as_view(), name="monthly_minutes_pdf"),
    path("units/<int:pk>/archive/<str:month>.pdf", pdf_views.UnitArchivePdfView.as_view(), name="unit_archive_pdf"),
    path("archive-jobs/<int:pk>/", pdf_views.ArchiveJobStatusView.as_view(), name="archive_job"),
    path("check-photos/<int:pk>/", views_daily.CheckPhotoView.as_view(), name="check_photo"),
    path("units/<int:pk>/verify/", views_daily.ChainVerifyView.as_view(), name="chain_verify"),
    path("routines/references/", reference_views.reference_list, name="references"),
    path("routines/references/<slug:doc>.pdf", reference_views.reference_download, {"fmt": "pdf"},
         name="reference_pdf"),
    path("routines/references/<slug:doc>.xlsx", reference_views.reference_download, {"fmt": "xlsx"},
         name="reference_xlsx"),
    path("my/weekly-report/", views_periodic.WeeklyReportFileView.as_view(), name="my_weekly_report"),
    path("weekly-reports/", views_periodic.WeeklyReportListView.as_view(), name="weekly_report_list"),
    path("weekly-reports/<int:pk>/", views_periodic.WeeklyReportView.as_view(), name="weekly_report"),
    path("weekly-reports/<int:pk>/amend/", views_periodic.WeeklyReportAmendView.as_view(), name="weekly_report_amend"),
    path("my/monthly-minutes/", views_periodic.MonthlyMinutesFileView.as_view(), name="my_monthly_minutes"),
    path("monthly-minutes/", views_periodic.MonthlyMinutesListView.as_view(), name="monthly_minutes_list"),
    path("monthly-minutes/<int:pk>/", views_periodic.MonthlyMinutesView.as_view(), name="monthly_minutes"),
    path("monthly-minutes/<int:pk>/amend/", views_periodic.MonthlyMinutesAmendView.as_view(),
         name="monthly_minutes_amend"),
    path("minutes-actions/<int:pk>/complete/", views_periodic.ActionDoneView.as_view(), name="minutes_action_complete"),
]
