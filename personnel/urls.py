from django.urls import path

from personnel import views

app_name = "personnel"

urlpatterns = [
    # The unit's staff (seed 002 附件 1–4, 9–10).
    path("units/<int:pk>/staff/", views.UnitStaffView.as_view(), name="unit_staff"),
    path("units/<int:pk>/staff.pdf", views.UnitStaffPdfView.as_view(), name="unit_staff_pdf"),
    path("units/<int:pk>/staff/new/", views.AppointNewView.as_view(), name="appointment_new"),
    path("my/staff/", views.my_staff, name="my_staff"),
    path("appointments/<int:pk>/end/", views.AppointmentEndView.as_view(), name="appointment_end"),
    path("appointments/<int:pk>/document/", views.AppointmentDocumentView.as_view(), name="appointment_document"),
    # People.
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/import/", views.PeopleImportView.as_view(), name="import"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/account/", views.PersonAccountView.as_view(), name="person_account"),
    path("people/<int:pk>/account/unlink/", views.PersonAccountUnlinkView.as_view(), name="person_account_unlink"),
    path("people/<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person_reveal"),
    path("people/<int:pk>/appointments/new/", views.AppointmentCreateView.as_view(), name="appointment_create"),
    # Certificates (000 §二(三)), training (附件 7), spot assessment (附件 8).
    path("people/<int:pk>/certificates/new/", views.CertificateCreateView.as_view(), name="certificate_create"),
    path("certificates/", views.CertificateListView.as_view(), name="certificate_list"),
    path("units/<int:pk>/trainings/new/", views.TrainingCreateView.as_view(), name="training_create"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("people/<int:pk>/assessments/new/", views.AssessmentCreateView.as_view(), name="assessment_create"),
    path("assessments/", views.AssessmentListView.as_view(), name="assessment_list"),
    # The regulators' indicator and the national platform export (附件 9–11).
    path("staffing/", views.StaffingView.as_view(), name="staffing"),
    path("staffing/units/", views.UnstaffedUnitListView.as_view(), name="staffing_units"),
    path("staffing/export/", views.NationalExportView.as_view(), name="national_export"),
    path("staffing/export/<int:pk>/", views.NationalExportDownloadView.as_view(), name="national_export_download"),
]
