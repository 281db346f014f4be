"""What waits for a user in units' work, for the inbox's 待办 (portal.inbox.todos): each provider one query."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from jurisdictions import access
from jurisdictions.duties import Duty
from portal.inbox.todos import Todo
from units.choices import UnitStatus
from units.models import Application, Unit
from units.services import OPEN_STATUSES


def registration_queue(user) -> list[Todo]:
    """Use-registration applications awaiting the authority (000 §二(二)), as ``units:application_queue`` lists
    them, with the nearest 办理期限."""
    if not access.is_regulator(user) or not access.can(user, Duty.REGISTER_EQUIPMENT):
        return []
    found = access.scope(Application.objects.filter(status__in=OPEN_STATUSES), user,
                         Duty.REGISTER_EQUIPMENT).aggregate(n=Count("pk"), due=Min("due_on"))
    if not found["n"]:
        return []
    return [Todo(title=ngettext("%(n)d 件使用登记申请待办理", "%(n)d 件使用登记申请待办理", found["n"]) % found,
                 url=reverse("units:application_queue"), kind="registration", due=found["due"])]


def pending_signups(user) -> list[Todo]:
    """Units that signed themselves up and wait for the 属地 regulator's confirmation (000 §四)."""
    if not access.is_regulator(user) or not access.can(user, Duty.MANAGE_UNITS):
        return []
    count = access.scope(Unit.objects.filter(status=UnitStatus.PENDING), user, Duty.MANAGE_UNITS).count()
    if not count:
        return []
    return [Todo(title=ngettext("%(n)d 家自助注册单位待确认", "%(n)d 家自助注册单位待确认", count) % {"n": count},
                 url=reverse("units:unit_pending_list"), kind="signup")]


def rejected_signup(user) -> list[Todo]:
    """The enterprise's own sign-up sent back by its station: to correct and resubmit (000 §四)."""
    if not access.is_enterprise(user) or not access.can(user, Duty.EDIT_UNIT):
        return []
    rejected = list(access.scope(Unit.objects.filter(status=UnitStatus.REJECTED), user, Duty.EDIT_UNIT)
                    .order_by("pk").values_list("pk", flat=True)[:1])
    if not rejected:
        return []
    return [Todo(title=gettext("单位注册被驳回，请更正后重新提交"),
                 url=reverse("units:unit_resubmit", args=rejected), kind="signup")]
