from django.urls import path

from units.views import notifications, registration
from units.views import units as views

app_name = "units"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/new/", views.UnitCreateView.as_view(), name="unit_create"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("units/<int:pk>/history/", views.UnitHistoryView.as_view(), name="unit_history"),
    path("units/<int:pk>/accounts/new/", views.UnitAccountCreateView.as_view(), name="unit_account_create"),
    # Use registration (000 §二(二)).
    path("applications/", registration.ApplicationListView.as_view(), name="application_list"),
    path("applications/queue/", registration.ApplicationQueueView.as_view(), name="application_queue"),
    path("applications/new/", registration.ApplicationCreateView.as_view(), name="application_create"),
    path("applications/<int:pk>/", registration.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/accept/", registration.ApplicationAcceptView.as_view(), name="application_accept"),
    path("applications/<int:pk>/approve/", registration.ApplicationApproveView.as_view(),
         name="application_approve"),
    path("applications/<int:pk>/reject/", registration.ApplicationRejectView.as_view(), name="application_reject"),
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
]
