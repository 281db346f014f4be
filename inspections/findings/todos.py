"""Findings waiting for someone, for the inbox's 待办 (portal.inbox.todos): one aggregate query per provider.

Who does what follows docs/domain.md §Findings: the unit rectifies its findings and closes its own
self-check ones; an inspection's finding is the inspecting regulator's to verify.
"""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import ngettext

from inspections.findings.choices import PENDING, Origin, Status
from inspections.findings.models import Finding
from jurisdictions import access
from jurisdictions.duties import Duty, Write
from portal.inbox.todos import Todo

OPEN, TO_VERIFY = Q(status=Status.OPEN), Q(status=Status.RECTIFIED)


def _list_url(status: str) -> str:
    return f"{reverse('findings:finding_list')}?status={status}"


def _todo(title: str, status: str, due) -> Todo:
    return Todo(title=title, url=_list_url(status), kind="finding", due=due)


def unit_findings(user) -> list[Todo]:
    """The enterprise's findings to rectify, and its self-check findings rectified and awaiting its 销号."""
    if not access.is_enterprise(user) or not access.can(user, Duty.KEEP_RECORDS):
        return []
    own_to_verify = TO_VERIFY & Q(origin=Origin.SELF_CHECK)
    found = access.scope(Finding.objects.filter(status__in=PENDING), user, Duty.KEEP_RECORDS).aggregate(
        open=Count("pk", filter=OPEN), open_due=Min("due_on", filter=OPEN),
        verify=Count("pk", filter=own_to_verify), verify_due=Min("due_on", filter=own_to_verify))
    todos = []
    if found["open"]:
        todos.append(_todo(ngettext("%(open)d 项隐患待整改", "%(open)d 项隐患待整改", found["open"]) % found,
                           Status.OPEN, found["open_due"]))
    if found["verify"]:
        todos.append(_todo(ngettext("%(verify)d 项隐患已整改，待验证销号", "%(verify)d 项隐患已整改，待验证销号",
                                    found["verify"]) % found, Status.RECTIFIED, found["verify_due"]))
    return todos


def inspection_findings(user) -> list[Todo]:
    """Findings of the regulator's own inspections, rectified by the unit and awaiting the regulator's 验证."""
    if not access.is_regulator(user) or not access.can(user, Write.VERIFICATION):
        return []
    found = access.scope(Finding.objects.filter(TO_VERIFY, origin=Origin.INSPECTION), user,
                         Write.VERIFICATION).aggregate(n=Count("pk"), due=Min("due_on"))
    if not found["n"]:
        return []
    return [_todo(ngettext("%(n)d 项监督检查发现的问题已整改，待验证", "%(n)d 项监督检查发现的问题已整改，待验证",
                           found["n"]) % found, Status.RECTIFIED, found["due"])]
