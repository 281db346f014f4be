from django.urls import path

from jurisdictions import views

app_name = "jurisdictions"

urlpatterns = [
    path("jurisdictions/", views.browse, name="browse"),
    path("jurisdictions/autocomplete/", views.autocomplete, name="autocomplete"),
    path("jurisdictions/stations/search/", views.station_autocomplete, name="station_autocomplete"),
    path("jurisdictions/stations/new/", views.StationCreateView.as_view(), name="station_create"),
    path("jurisdictions/<int:pk>/", views.JurisdictionDetailView.as_view(), name="jurisdiction_detail"),
    path("accounts/users/", views.UserListView.as_view(), name="user_list"),
    path("accounts/users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("accounts/users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("accounts/users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("accounts/users/<int:pk>/toggle-active/", views.UserToggleActiveView.as_view(), name="user_toggle_active"),
    path("delegations/", views.DelegationListView.as_view(), name="delegation_list"),
    path("delegations/new/", views.DelegationCreateView.as_view(), name="delegation_create"),
    path("delegations/<int:pk>/revoke/", views.DelegationRevokeView.as_view(), name="delegation_revoke"),
    path("audit/", views.AuditEventListView.as_view(), name="audit_list"),
]
