from django.urls import path

from inspections.supervision import inspection_views as views

app_name = "inspections"

urlpatterns = [
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("units/<int:pk>/inspections/new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("inspections/<int:pk>/record/", views.InspectionRecordView.as_view(), name="inspection_record"),
    path("inspections/<int:pk>/items/<int:position>/finding/", views.InspectionFindingView.as_view(),
         name="inspection_finding"),
    path("inspections/<int:pk>/assess/", views.InspectionAssessView.as_view(), name="inspection_assess"),
    path("inspections/<int:pk>/sign/", views.InspectionSignView.as_view(), name="inspection_sign"),
    path("inspections/<int:pk>/refuse/", views.InspectionRefuseView.as_view(), name="inspection_refuse"),
    path("inspections/<int:pk>/complete/", views.InspectionCompleteView.as_view(), name="inspection_complete"),
    path("inspections/<int:pk>/record.pdf", views.InspectionPdfView.as_view(), name="inspection_pdf"),
    path("inspections/<int:pk>/files/<slug:what>/", views.InspectionFileView.as_view(), name="inspection_file"),
    path("inspections/<int:pk>/items/<int:position>/photo/", views.InspectionFileView.as_view(),
         name="inspection_item_photo"),
    path("inspections/<int:pk>/directive/new/", views.DirectiveCreateView.as_view(), name="directive_create"),
    path("directives/", views.DirectiveListView.as_view(), name="directive_list"),
    path("directives/<int:pk>/", views.DirectiveDetailView.as_view(), name="directive_detail"),
    path("directives/<int:pk>/report/", views.DirectiveReportView.as_view(), name="directive_report"),
    path("directives/<int:pk>/recheck/", views.DirectiveRecheckView.as_view(), name="directive_recheck"),
    path("directives/<int:pk>/directive.pdf", views.DirectivePdfView.as_view(), name="directive_pdf"),
    path("directives/evidence/<int:pk>/", views.DirectiveEvidenceView.as_view(), name="directive_evidence"),
    path("referrals/", views.ReferralListView.as_view(), name="referral_list"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral_detail"),
    path("referrals/<int:pk>/edit/", views.ReferralUpdateView.as_view(), name="referral_update"),
]
