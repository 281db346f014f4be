"""Authentication events go to the audit log (docs/security.md §Audit)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from jurisdictions.audit import record
from jurisdictions.models import AuditEvent, LoginSession


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    request.session["login_at"] = request.session["seen_at"] = timezone.now().timestamp()
    if not request.session.session_key:
        request.session.save()
    LoginSession.objects.update_or_create(session_key=request.session.session_key, defaults={"user": user})
    record(AuditEvent.Kind.LOGIN, user=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        if request.session.session_key:
            LoginSession.objects.filter(session_key=request.session.session_key).delete()
        record(AuditEvent.Kind.LOGOUT, user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    record(AuditEvent.Kind.LOGIN_FAILED, success=False, username=str(credentials.get("username", ""))[:150])


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    record(AuditEvent.Kind.LOCKED_OUT, success=False, username=str(username or "")[:150],
           detail={"ip": ip_address})
