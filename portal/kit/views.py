"""Generic scoped views: a model's pages are a queryset, a filterset, a table and a form.

After NetBox's ObjectListView / ObjectView / ObjectEditView. Every view here narrows its queryset
through the access spine (``portal.kit.access``), so an out-of-scope id answers 404 exactly like a
missing one, and an edit re-reads its object through the scope inside the save transaction.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.forms import BaseModelForm
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from portal.kit import access
from portal.kit.forms import apply_form_errors, narrow_choices, style_widgets
from portal.kit.jobs import DONE
from portal.kit.masking import mask_text
from portal.kit.tables import export_dataset

EXPORT_FORMATS = ("xlsx", "csv")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
# Excel on Chinese Windows reads a CSV without a byte-order mark as GBK and garbles it.
UTF8_BOM = "\ufeff"
PER_PAGE = 50
# Query parameters that page or sort a list rather than filter it.
NOT_FILTERS = ("page", "sort", "_export")


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition naming the file in Chinese (RFC 6266 ``filename*``, RFC 5987 encoding) with
    an ASCII ``filename`` for clients that do not read ``filename*``."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def record_download(request, obj, filename: str) -> None:
    """Every document leaving the portal (certificates, decisions, uploads, PDFs of people) is a security
    event with its reader and file name (docs/security.md §Audit: exports and reveals are, and these hold the
    same records)."""
    with transaction.atomic():
        access.record_event("download", user=request.user, obj=obj, detail={"file": filename})


class ScopedMixin(LoginRequiredMixin):
    """``duty`` names what the user must hold over the rows; rows outside it do not exist for them."""

    queryset: models.QuerySet | None = None
    duty = "view_records"

    def base_queryset(self) -> models.QuerySet:
        if self.queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset")
        return self.queryset.all()

    def get_queryset(self):
        return access.scope(self.base_queryset(), self.request.user, self.duty)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.has_access(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def has_access(self, user) -> bool:
        """Whether the page exists for ``user`` at all: the duty somewhere, and the audience."""
        return access.can(user, self.duty) and access.in_audience(user, self.audience)

    # ``None`` (everyone holding the duty), or the kind of account the page is for — regulators only
    # for the indicators over a jurisdiction, enterprises only for a unit's own filings; the access
    # backend says who is which.
    audience: str | None = None


class ObjectMixin(ScopedMixin):
    """The object the URL's ``pk`` names, read through the scope with the view's duty before anything
    else runs (``self.object``); out of scope or missing, the page is a 404. Without a ``pk`` in the
    URL (a create page) there is no object."""

    object = None

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        queryset = self.get_queryset()
        try:
            return queryset.get(pk=self.kwargs["pk"])
        except queryset.model.DoesNotExist as exc:
            raise Http404 from exc

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_access(request.user):
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}


class ScopedListView(ScopedMixin, SingleTableMixin, FilterView):
    """Table + filters + pagination + export of exactly the in-scope, filtered rows.

    A list declares its ``title``, the Chinese ``export_name`` its downloads are called by, and an
    ``empty_hint`` telling the user what would appear here and how it gets there; the page links the
    create and import pages next to the hint when the user may use them.
    """

    template_name = "kit/list.html"
    paginate_by = PER_PAGE
    title = ""
    empty_hint = ""
    create_url_name: str | None = None
    import_url_name: str | None = None
    import_duty: str | None = None
    create_duty: str | None = None
    export_name = ""
    filterset_fields: list[str] | None = None

    def get_table_pagination(self, table):
        return {"per_page": self.paginate_by}

    def get_queryset(self):
        """The scoped rows in the table's default order. django-tables2 applies ``Meta.order_by`` only when
        it names a column, so a default such as ``-id`` (newest first, served by the ``(tier, -id)``
        indexes) would leave the pages unordered, and rows would repeat or vanish from page to page. A
        column the user sorts by replaces this order."""
        queryset = super().get_queryset()
        default = getattr(self.get_table_class()._meta, "order_by", None)
        if default and not queryset.ordered:
            queryset = queryset.order_by(*map(str, default))
        return queryset

    def get_paginate_by(self, queryset):
        # The table paginates; ListView paginating the raw queryset as well only costs a COUNT and
        # warns about the unordered queryset (the table applies its own order_by).
        return None

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("_export")
        if fmt:
            return self.export(fmt)
        return super().get(request, *args, **kwargs)

    def export(self, fmt: str) -> HttpResponse:
        if fmt not in EXPORT_FORMATS:
            raise Http404
        filterset = self.get_filterset(self.get_filterset_class())
        rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        count = rows.count()
        limit = settings.EXPORT_MAX_ROWS
        if count > limit:
            messages.error(self.request, _("筛选结果共 %(count)d 条，超过单次导出上限 %(limit)d 条：请按辖区、日期"
                                           "等条件缩小范围后分批导出。") % {"count": count, "limit": limit})
            query = self.request.GET.copy()
            query.pop("_export", None)
            return redirect(f"{self.request.path}?{query.urlencode()}" if query else self.request.path)
        table = self.get_table_class()(rows)
        RequestConfig(self.request, paginate=False).configure(table)
        with transaction.atomic():
            access.record_event(
                "export",
                user=self.request.user,
                detail={"view": type(self).__name__, "format": fmt, "rows": count,
                        # A search may be a full ID or phone number: the log keeps it masked.
                        "filter": {k: mask_text(v) for k, v in self.request.GET.items() if k != "_export"}},
            )
        name = self.export_name or self.title
        dataset = export_dataset(table, name, exclude=getattr(self.table_class, "export_exclude", ()))
        content = dataset.export("xlsx") if fmt == "xlsx" else (UTF8_BOM + dataset.export("csv")).encode("utf-8")
        stamp = f"{timezone.localdate():%Y%m%d}.{fmt}"
        fallback = getattr(self.request.resolver_match, "url_name", None) or "export"
        response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
        response["Content-Disposition"] = attachment(f"{name}-{stamp}", f"{fallback}-{stamp}")
        return response

    def is_filtered(self) -> bool:
        return any(value for key, value in self.request.GET.items() if key not in NOT_FILTERS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["export_formats"] = EXPORT_FORMATS
        context["empty_hint"] = self.empty_hint
        context["filtered"] = self.is_filtered()
        if self.create_url_name and access.can(self.request.user, self.create_duty or self.duty):
            context["create_url_name"] = self.create_url_name
        if self.import_url_name and access.can(self.request.user, self.import_duty or self.duty):
            context["import_url_name"] = self.import_url_name
        return context


class ScopedDetailView(ScopedMixin, DetailView):
    template_name = "kit/detail.html"


class ScopedFormView(ObjectMixin, FormView):
    """A form whose save is a service call; the service's ValidationError lands next to the field.

    ``queryset`` and ``duty`` name the object of an edit (``self.object``, by the URL's ``pk``); a form
    that edits that object's model (a ModelForm, or a form declaring ``model``) gets it as ``instance``.
    The service re-reads it inside its transaction.
    Choice fields reaching a jurisdiction or unit are narrowed to the user's scope, so a tampered select
    value fails validation instead of moving a record out of scope. After the save the user lands on
    the saved object's page unless ``get_success_url`` says otherwise.
    """

    template_name = "kit/form.html"
    title = ""
    success_message = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        form_class = self.get_form_class()
        edits = form_class._meta.model if issubclass(form_class, BaseModelForm) else getattr(form_class, "model", None)
        if edits is not None and isinstance(self.object, edits):
            kwargs["instance"] = self.object
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        narrow_choices(form, self.request.user, self.duty)
        style_widgets(form)
        return form

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.saved = self.save(form)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.saved.get_absolute_url()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title}


class ConfirmActionView(ObjectMixin, FormView):
    """A destructive or state-changing action on ``self.object``: GET shows a confirmation page, POST
    performs it, and the user returns to the object's page (or ``get_success_url``)."""

    template_name = "kit/confirm.html"
    title = ""
    question = ""
    button = _("确认")
    danger = True
    done_message = ""

    def perform(self, form):
        raise NotImplementedError

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style_widgets(form)
        return form

    def form_valid(self, form):
        try:
            self.perform(form)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        if self.done_message:
            messages.success(self.request, self.done_message)
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, question=self.question, button=self.button, danger=self.danger)
        return context


class ScopedFileView(ObjectMixin, View):
    """One document of an in-scope object, leaving the portal as an audited download (docs/security.md).

    A stored upload names its ``file_field``; a generated document (a PDF) implements ``render``, in
    ``settings.DOCUMENT_LANGUAGE`` whatever the page's language: the portal's documents are official ones.
    ``get_filename`` is what the user's browser saves it as. ``inline`` shows it in the browser instead
    (a licence image the reviewer looks at). Never cached: these are personal or official records.
    """

    file_field: str | None = None
    content_type = "application/pdf"
    inline = False

    def get_filename(self, obj) -> str:
        raise NotImplementedError

    def render(self, obj) -> bytes:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        obj = self.object
        if self.file_field:
            filename = self.get_filename(obj)
            stored = getattr(obj, self.file_field)
            if not stored:
                raise Http404
            try:
                handle = stored.open("rb")
            except FileNotFoundError as exc:
                raise Http404 from exc
            record_download(request, obj, filename)
            response = FileResponse(handle, as_attachment=not self.inline, filename=filename)
        else:
            with translation.override(settings.DOCUMENT_LANGUAGE):
                filename, content = self.get_filename(obj), self.render(obj)
            record_download(request, obj, filename)
            response = HttpResponse(content, content_type=self.content_type)
            response["Content-Disposition"] = content_disposition_header(as_attachment=not self.inline,
                                                                         filename=filename)
        response["Cache-Control"] = "private, no-store"
        return response


# --- Background jobs (portal.kit.jobs) --------------------------------------------------------------

class OwnJobMixin:
    """Only the job's creator, inside its scope, opens it; anyone else reads 404. ``queryset`` is the
    job model's (a ``JobQuerySet``)."""

    def base_queryset(self):
        return super().base_queryset().owned_by(self.request.user)


class JobUploadView(ScopedFormView):
    """Upload a file and dry-run it: ``start(upload)`` (a service) checks every row and returns the job,
    whose page shows the outcome; nothing is saved until its owner confirms."""

    def start(self, upload):
        raise NotImplementedError

    def save(self, form):
        return self.start(form.cleaned_data["file"])


class JobStatusView(OwnJobMixin, ScopedDetailView):
    """A job's status fragment; while the job is open it polls itself (``kit/_job_poll.html``)."""


class JobListMixin:
    """A page listing the user's latest jobs of ``job_queryset``. htmx re-fetches the list alone
    (``jobs_template``) while one of them is open."""

    job_queryset: models.QuerySet | None = None
    jobs_template = ""
    jobs_shown = 10

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return [self.jobs_template]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = list(self.job_queryset.owned_by(self.request.user).order_by("-id")[: self.jobs_shown])
        context.update(jobs=jobs, polling=any(job.is_open for job in jobs))
        return context


class JobFileView(OwnJobMixin, ObjectMixin, View):
    """A finished job's file, to its creator only; ``respond(job)`` reads it out (and audits it)."""

    def base_queryset(self):
        return super().base_queryset().filter(status=DONE)

    def get(self, request, *args, **kwargs):
        return self.respond(self.object)

    def respond(self, job):
        raise NotImplementedError
