"""Pages of the 三书一函 (docs/domain.md §Recommendations): the list of the subtree's instruments (the province and
the cities oversee the handling below them), an instrument's page with its timeline, registering one, routing it
down, recording measures, the reply and archiving — the last three by the responsible jurisdiction only — the reply
letter as PDF and the attachments as audited downloads."""

from __future__ import annotations

from pathlib import Path

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.supervision import recommendation_documents as documents
from inspections.supervision import recommendation_services as services
from inspections.supervision.models import Recommendation, RecommendationAttachment, RecommendationStep
from inspections.supervision.recommendation_choices import AWAITING_REPLY, ROUTABLE, Status
from inspections.supervision.recommendation_filters import RecommendationFilter
from inspections.supervision.recommendation_forms import ArchiveForm, MeasuresForm, RegisterForm, ReplyForm, RouteForm
from inspections.supervision.recommendation_tables import RecommendationTable, status_badges
from jurisdictions import access
from jurisdictions.access import REGULATORS
from portal.kit.views import ConfirmActionView, ScopedDetailView, ScopedFileView, ScopedFormView, ScopedListView

DUTY = services.DUTY
REPLIED = (Status.REPLIED, Status.ARCHIVED)


class RecommendationListView(ScopedListView):
    queryset = Recommendation.objects.select_related("jurisdiction")
    duty = DUTY
    audience = REGULATORS
    table_class = RecommendationTable
    filterset_class = RecommendationFilter
    title = gettext_lazy("三书一函")
    export_name = gettext_lazy("三书一函办理情况")
    empty_hint = gettext_lazy("收到的司法建议书、检察建议书、监察建议书和公安提示函在这里登记，交办到承办单位，"
                              "由承办单位记录整改措施、按期回复并归档；上级可看到本辖区的办理情况。")
    create_url_name = "recommendations:recommendation_create"


class RecommendationDetailView(ScopedDetailView):
    queryset = Recommendation.objects.select_related("jurisdiction", "received_by", "registered_by").prefetch_related(
        Prefetch("steps", queryset=RecommendationStep.objects.select_related("by", "from_node", "to_node")
                 .prefetch_related("attachments").order_by("at", "id")))
    duty = DUTY
    audience = REGULATORS
    template_name = "supervision/recommendation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, recommendation = self.request.user, self.object
        responsible = user.jurisdiction_id == recommendation.jurisdiction_id
        context.update(
            badges=status_badges(recommendation),
            can_route=recommendation.status in ROUTABLE and services.may_route(user),
            can_measure=responsible and recommendation.status in AWAITING_REPLY,
            can_reply=responsible and recommendation.status == Status.IN_PROGRESS,
            can_archive=responsible and recommendation.status == Status.REPLIED,
            has_letter=recommendation.status in REPLIED,
        )
        return context


class RecommendationCreateView(ScopedFormView):
    """登记: what the user's own jurisdiction received."""

    duty = DUTY
    audience = REGULATORS
    form_class = RegisterForm
    template_name = "supervision/recommendation_form.html"
    title = gettext_lazy("登记三书一函")
    success_message = gettext_lazy("三书一函已登记。")

    def has_access(self, user) -> bool:
        return super().has_access(user) and access.can(user, DUTY, user.jurisdiction)

    def save(self, form):
        return services.register(by=self.request.user, **form.cleaned_data)


class RecommendationRouteView(ScopedFormView):
    """交办 down the tree, by a tier with handling jurisdictions below it, until handling begins."""

    queryset = Recommendation.objects.filter(status__in=ROUTABLE).select_related("jurisdiction")
    duty = DUTY
    audience = REGULATORS
    form_class = RouteForm
    template_name = "supervision/recommendation_form.html"
    title = gettext_lazy("交办")
    success_message = gettext_lazy("已交办。")

    def has_access(self, user) -> bool:
        return super().has_access(user) and services.may_route(user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def save(self, form):
        return services.route(by=self.request.user, recommendation=self.object, to=form.cleaned_data["to"],
                              note=form.cleaned_data["note"])


class ResponsibleMixin:
    """The page exists only for the responsible jurisdiction's own accounts: a tier above reads, it does not act."""

    queryset = Recommendation.objects.select_related("jurisdiction")
    duty = DUTY
    audience = REGULATORS
    template_name = "supervision/recommendation_form.html"
    statuses: tuple = ()

    def get_queryset(self):
        return services.handled_by(super().get_queryset(), self.request.user).filter(status__in=self.statuses)


class RecommendationMeasuresView(ResponsibleMixin, ScopedFormView):
    statuses = AWAITING_REPLY
    form_class = MeasuresForm
    title = gettext_lazy("记录整改措施")
    success_message = gettext_lazy("整改措施已记录。")

    def save(self, form):
        return services.record_measures(by=self.request.user, recommendation=self.object, **form.cleaned_data)


class RecommendationReplyView(ResponsibleMixin, ScopedFormView):
    statuses = (Status.IN_PROGRESS,)
    form_class = ReplyForm
    title = gettext_lazy("回复")
    success_message = gettext_lazy("已回复，可下载回复函。")

    def save(self, form):
        return services.reply(by=self.request.user, recommendation=self.object, **form.cleaned_data)


class RecommendationArchiveView(ResponsibleMixin, ConfirmActionView):
    statuses = (Status.REPLIED,)
    template_name = "kit/confirm.html"
    form_class = ArchiveForm
    title = gettext_lazy("归档")
    button = gettext_lazy("确认归档")
    danger = False
    done_message = gettext_lazy("已归档。")

    @property
    def question(self):
        return _("%(recommendation)s 已办结，归档后不能再修改。") % {"recommendation": self.object}

    def perform(self, form):
        services.archive(by=self.request.user, recommendation=self.object, note=form.cleaned_data["note"])


class ReplyLetterPdfView(ScopedFileView):
    """回复函, once the reply is on record: to whoever sees the instrument."""

    queryset = Recommendation.objects.filter(status__in=REPLIED).select_related("jurisdiction")
    duty = DUTY
    audience = REGULATORS

    def get_filename(self, recommendation) -> str:
        return _("回复函-%(number)s.pdf") % {"number": recommendation.document_number}

    def render(self, recommendation) -> bytes:
        return documents.reply_letter_pdf(recommendation)


class AttachmentFileView(ScopedFileView):
    """A scan of the instrument or a document of its handling, shown in the browser; every opening audited."""

    queryset = RecommendationAttachment.objects.select_related("recommendation")
    duty = DUTY
    audience = REGULATORS
    file_field = "file"
    inline = True

    def get_filename(self, attachment) -> str:
        return _("三书一函附件-%(recommendation)s-%(pk)s%(suffix)s") % {
            "recommendation": attachment.recommendation_id, "pk": attachment.pk,
            "suffix": Path(attachment.file.name).suffix}
