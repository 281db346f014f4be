from django.urls import path

from units.views import equipment, imports, notifications, registration, signup
from units.views import units as views

app_name = "units"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/new/", views.UnitCreateView.as_view(), name="unit_create"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("units/<int:pk>/history/", views.UnitHistoryView.as_view(), name="unit_history"),
    path("units/<int:pk>/accounts/new/", views.UnitAccountCreateView.as_view(), name="unit_account_create"),
    # Sign-up (public) and its confirmation (000 §四).
    path("signup/", signup.SignupView.as_view(), name="signup"),
    path("units/pending/", signup.PendingUnitListView.as_view(), name="unit_pending_list"),
    path("units/<int:pk>/confirm/", signup.UnitConfirmView.as_view(), name="unit_confirm"),
    path("units/<int:pk>/reject/", signup.UnitRejectView.as_view(), name="unit_reject"),
    path("units/<int:pk>/resubmit/", signup.UnitResubmitView.as_view(), name="unit_resubmit"),
    path("units/<int:pk>/licence/", signup.UnitLicenceView.as_view(), name="unit_licence"),
    # Equipment and periodic inspection (docs/domain.md §Equipment catalogue, §Periodic inspection).
    path("equipment/", equipment.EquipmentListView.as_view(), name="equipment_list"),
    path("equipment/<int:pk>/", equipment.EquipmentDetailView.as_view(), name="equipment_detail"),
    path("equipment/<int:pk>/edit/", equipment.EquipmentEditView.as_view(), name="equipment_edit"),
    path("units/<int:pk>/equipment/new/", equipment.EquipmentCreateView.as_view(), name="equipment_create"),
    path("equipment/inspections/due/", equipment.InspectionDueListView.as_view(), name="inspection_due_list"),
    path("equipment/inspections/overdue/", equipment.InspectionOverdueListView.as_view(),
         name="inspection_overdue_list"),
    # Use registration (000 §二(二)).
    path("applications/", registration.ApplicationListView.as_view(), name="application_list"),
    path("applications/queue/", registration.ApplicationQueueView.as_view(), name="application_queue"),
    path("applications/new/", registration.ApplicationCreateView.as_view(), name="application_create"),
    path("applications/<int:pk>/", registration.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/accept/", registration.ApplicationAcceptView.as_view(), name="application_accept"),
    path("applications/<int:pk>/approve/", registration.ApplicationApproveView.as_view(),
         name="application_approve"),
    path("applications/<int:pk>/reject/", registration.ApplicationRejectView.as_view(), name="application_reject"),
    path("applications/<int:pk>/withdraw/", registration.ApplicationWithdrawView.as_view(),
         name="application_withdraw"),
    path("applications/<int:pk>/decision.pdf", registration.ApplicationDecisionView.as_view(),
         name="application_decision"),
    path("applications/documents/<int:pk>/", registration.ApplicationDocumentView.as_view(),
         name="application_document"),
    path("equipment/<int:pk>/certificate.pdf", registration.EquipmentCertificateView.as_view(),
         name="equipment_certificate"),
    # Work notifications 告知 (000 §二(二)).
    path("notifications/", notifications.NotificationListView.as_view(), name="notification_list"),
    path("notifications/new/", notifications.NotificationCreateView.as_view(), name="notification_create"),
    path("notifications/<int:pk>/", notifications.NotificationDetailView.as_view(), name="notification_detail"),
    path("notifications/<int:pk>/acknowledge/", notifications.NotificationAcknowledgeView.as_view(),
         name="notification_acknowledge"),
    # Excel import (docs/security.md §Uploads and Excel).
    path("units/import/", imports.UnitImportView.as_view(), name="unit_import"),
    path("equipment/import/", imports.EquipmentImportView.as_view(), name="equipment_import"),
    path("imports/template/<str:kind>.xlsx", imports.ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/confirm/", imports.ImportConfirmView.as_view(), name="import_confirm"),
    path("imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="import_progress"),
]
