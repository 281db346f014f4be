"""The enterprise's certificates about to expire, for the inbox's 待办 (portal.inbox.todos): one query."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from jurisdictions import access
from jurisdictions.duties import Duty
from personnel.models import Certificate
from portal.inbox.todos import Todo

# TSG Z6001: apply for review a month before expiry; the certificate list filters on the same window.
EXPIRY_WINDOW_DAYS = 30


def expiring_certificates(user) -> list[Todo]:
    """Operator certificates of the user's unit expiring within ``EXPIRY_WINDOW_DAYS``, the nearest first."""
    if not access.is_enterprise(user) or not access.can(user, Duty.KEEP_RECORDS):
        return []
    today = timezone.localdate()
    window = Certificate.objects.filter(expires_on__range=(today, today + timedelta(days=EXPIRY_WINDOW_DAYS)))
    found = access.scope(window, user, Duty.KEEP_RECORDS).aggregate(n=Count("pk"), due=Min("expires_on"))
    if not found["n"]:
        return []
    title = ngettext("%(n)d 张作业人员证 %(days)d 天内到期，请申请复审",
                     "%(n)d 张作业人员证 %(days)d 天内到期，请申请复审",
                     found["n"]) % {"n": found["n"], "days": EXPIRY_WINDOW_DAYS}
    return [Todo(title=title,
                 url=f"{reverse('personnel:certificate_list')}?expiring={EXPIRY_WINDOW_DAYS}",
                 kind="certificate_expiry", due=found["due"])]
