from django.urls import path

from portal.inbox import views

app_name = "inbox"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("inbox/read-all/", views.MarkAllReadView.as_view(), name="mark_all_read"),
]
