"""System checks: the portal refuses to start rather than store personal information in the clear."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from portal.kit import crypto


@register(Tags.security)
def field_encryption_key(app_configs, **kwargs):
    try:
        crypto.parse_keys(getattr(settings, "FIELD_ENCRYPTION_KEY", ""))
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="manage.py rotate_field_key --generate prints a new key.", id="portal.E001")]
    return []


@register(Tags.security, deploy=True)
def field_encryption_key_from_environment(app_configs, **kwargs):
    """A key generated under var/ sits beside the data it protects; production takes it from outside."""
    if not getattr(settings, "FIELD_ENCRYPTION_KEY_FROM_ENV", False):
        return [Error("FIELD_ENCRYPTION_KEY is not set in the environment (a generated development key is in use).",
                      hint="Set FIELD_ENCRYPTION_KEY; keep it out of database backups.", id="portal.E002")]
    return []


@register(Tags.security, deploy=True)
def quick_start_mode(app_configs, **kwargs):
    """The quick start serves plain http on one machine; its relaxed cookie defaults must not reach production."""
    if getattr(settings, "QUICKSTART", False):
        return [Error("PORTAL_QUICKSTART is set: secure cookies, HTTPS redirect and HSTS are off by default.",
                      hint="Unset PORTAL_QUICKSTART outside `make run`.", id="portal.E003")]
    return []
