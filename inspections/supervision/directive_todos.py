"""The 安全监察指令书 waiting for someone, for the inbox's 待办 (portal.inbox.todos): one aggregate query per provider.
The unit answers its directives with a rectification report; the issuing authority re-checks the reports and
handles the referrals of overdue ones (docs/domain.md §Directive)."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import ngettext

from inspections.supervision.directive_services import DUTY, issued_by_authority
from inspections.supervision.inspection_choices import AWAITING_REPORT, DirectiveStatus, ReferralStatus
from inspections.supervision.models import Directive, Referral
from jurisdictions import access
from jurisdictions.duties import Duty
from portal.inbox.todos import Todo


def directives_to_answer(user) -> list[Todo]:
    """The enterprise's directives awaiting its rectification report."""
    if not access.is_enterprise(user) or not access.can(user, Duty.KEEP_RECORDS):
        return []
    found = access.scope(Directive.objects.filter(status__in=AWAITING_REPORT), user, Duty.KEEP_RECORDS).aggregate(
        n=Count("pk"), due=Min("deadline"))
    if not found["n"]:
        return []
    title = ngettext("%(n)d 份安全监察指令书待整改报告", "%(n)d 份安全监察指令书待整改报告", found["n"]) % found
    url = f"{reverse('inspections:directive_list')}?status={DirectiveStatus.ISSUED}"
    return [Todo(title=title, url=url, kind="directive", due=found["due"])]


def directives_to_recheck(user) -> list[Todo]:
    """The issuing authority's reports to re-check (within 10 working days) and its open referrals."""
    if not access.is_regulator(user) or not access.can(user, DUTY, user.jurisdiction):
        return []
    found = issued_by_authority(Directive.objects.filter(status=DirectiveStatus.REPORTED), user).aggregate(
        n=Count("pk"), due=Min("recheck_due_on"))
    referrals = issued_by_authority(Referral.objects.filter(~Q(status=ReferralStatus.CLOSED)), user).count()
    todos = []
    if found["n"]:
        title = ngettext("%(n)d 份指令书整改报告待复查", "%(n)d 份指令书整改报告待复查", found["n"]) % found
        todos.append(Todo(title=title, url=f"{reverse('inspections:directive_list')}?status=reported&own=true",
                          kind="directive", due=found["due"]))
    if referrals:
        title = ngettext("%(n)d 件逾期未整改移送处罚待办理", "%(n)d 件逾期未整改移送处罚待办理",
                         referrals) % {"n": referrals}
        todos.append(Todo(title=title, url=f"{reverse('inspections:referral_list')}?status=open", kind="referral"))
    return todos
