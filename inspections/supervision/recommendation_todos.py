"""The 三书一函 awaiting the signed-in regulator's own jurisdiction, for the inbox's 待办 (portal.inbox.todos): one
aggregate query. Only the responsible jurisdiction answers for an instrument (docs/domain.md §Recommendations)."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import ngettext

from inspections.supervision.models import Recommendation
from inspections.supervision.recommendation_choices import OPEN, STAGES
from inspections.supervision.recommendation_services import DUTY, handled_by
from jurisdictions import access
from portal.inbox.todos import Todo

TO_HANDLE, TO_REPLY, TO_ARCHIVE = (STAGES[stage] for stage in ("to_handle", "to_reply", "to_archive"))


def _todo(title: str, stage: str, due) -> Todo:
    url = f"{reverse('recommendations:recommendation_list')}?own=true&stage={stage}"
    return Todo(title=title, url=url, kind="recommendation", due=due)


def recommendations_to_handle(user) -> list[Todo]:
    if not access.is_regulator(user) or not access.can(user, DUTY, user.jurisdiction):
        return []
    found = handled_by(Recommendation.objects.filter(status__in=OPEN), user).aggregate(
        handle=Count("pk", filter=TO_HANDLE), handle_due=Min("reply_due_on", filter=TO_HANDLE),
        reply=Count("pk", filter=TO_REPLY), reply_due=Min("reply_due_on", filter=TO_REPLY),
        archive=Count("pk", filter=TO_ARCHIVE))
    todos = []
    if found["handle"]:
        title = ngettext("%(handle)d 件三书一函待办理", "%(handle)d 件三书一函待办理", found["handle"]) % found
        todos.append(_todo(title, "to_handle", found["handle_due"]))
    if found["reply"]:
        todos.append(_todo(ngettext("%(reply)d 件三书一函待回复", "%(reply)d 件三书一函待回复", found["reply"]) % found,
                           "to_reply", found["reply_due"]))
    if found["archive"]:
        todos.append(_todo(ngettext("%(archive)d 件三书一函已回复，待归档", "%(archive)d 件三书一函已回复，待归档",
                                    found["archive"]) % found, "to_archive", None))
    return todos
