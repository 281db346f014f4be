from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jurisdictions.views import AuditedPasswordChangeView
from portal.kit import health
from portal.kit.errors import server_error

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", AuditedPasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("portal.dashboard.urls")),
    path("", include("jurisdictions.urls")),
    path("", include("portal.inbox.urls")),
    path("", include("units.urls")),
    path("", include("personnel.urls")),
    path("", include("inspections.findings.urls")),
    path("", include("inspections.routines.urls")),
    path("", include("inspections.supervision.recommendation_urls")),
    path("", include("inspections.supervision.inspection_urls")),
    path("", include("inspections.supervision.urls")),
    path("", include("inspections.supervision.plan_urls")),
]

handler500 = server_error
