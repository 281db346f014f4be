from django import template
from django.utils.translation import gettext as _

from personnel import forms, rules
from portal.kit.wording import listing

register = template.Library()


@register.filter
def missing_certificates(codes) -> str:
    """["A"] → "缺少特种设备安全管理（A）证书": the badge names what to obtain, not a bare code."""
    return _("缺少%(items)s证书") % {"items": listing(rules.certificate_name(code) for code in codes)}


@register.filter
def certificate_name(code: str) -> str:
    return rules.certificate_name(code)


@register.filter
def account_label(account) -> str:
    return forms.account_label(account)
