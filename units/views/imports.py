"""Excel import of units and equipment: upload (dry run), results, 确认导入, progress (units.importing)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View

from jurisdictions import access
from jurisdictions.duties import Duty
from portal.kit.views import XLSX, ConfirmActionView, ScopedDetailView, ScopedFormView
from units import importing
from units.models import ImportJob


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"),
                           help_text=_("仅接受 .xlsx 格式，不超过 5 MB；第一行为表头。"))


class ImportUploadView(ScopedFormView):
    """Upload and dry run; the kind (units or equipment) is fixed per URL."""

    form_class = ImportForm
    template_name = "units/import_upload.html"
    kind = ImportJob.Kind.UNITS

    @property
    def duty(self):
        return importing.import_duty(self.request.user, self.kind)

    @property
    def title(self):
        return _("导入单位") if self.kind == ImportJob.Kind.UNITS else _("导入设备")

    def save(self, form):
        return importing.start_import(by=self.request.user, kind=self.kind, upload=form.cleaned_data["file"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(columns=importing.IMPORTERS[self.kind].columns, note=importing.IMPORTERS[self.kind].note,
                       template_url=reverse("units:import_template", args=[self.kind]))
        return context


class ImportTemplateView(LoginRequiredMixin, View):
    """The blank workbook of one importer (units, equipment, or any app's registered importer), to
    whoever may run that import; anyone else, or an unknown kind, reads 404."""

    def get(self, request, kind):
        if kind not in importing.IMPORTERS or not access.can(request.user, importing.import_duty(request.user, kind)):
            raise Http404
        response = HttpResponse(importing.template_workbook(kind), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{ImportJob.Kind(kind).label}导入模板.xlsx")
        return response


class UnitImportView(ImportUploadView):
    kind = ImportJob.Kind.UNITS


class EquipmentImportView(ImportUploadView):
    kind = ImportJob.Kind.EQUIPMENT


class _OwnJob:
    """Only the job's creator (inside its scope) opens it; anyone else reads 404."""

    duty = Duty.VIEW

    def base_queryset(self):
        return ImportJob.objects.filter(created_by=self.request.user)


class ImportDetailView(_OwnJob, ScopedDetailView):
    template_name = "units/import_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(done=importing.progress(self.object),
                       upload_url_name=importing.IMPORTERS[self.object.kind].upload_url_name)
        return context


class ImportProgressView(_OwnJob, ScopedDetailView):
    """The progress bar fragment htmx polls every second while the job runs."""

    template_name = "units/_import_progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["done"] = importing.progress(self.object)
        return context


class ImportConfirmView(_OwnJob, ConfirmActionView):
    form_class = forms.Form
    title = _("确认导入")
    button = _("确认导入")
    danger = False

    @property
    def question(self):
        return _("将导入 %(n)d 行数据，全部保存或全部不保存。确认导入吗？") % {"n": self.object.total}

    def get_object(self):
        return access.get_or_404(self.base_queryset(), self.request.user, self.duty, pk=self.kwargs["pk"])

    def perform(self, form):
        self.object = importing.confirm_import(by=self.request.user, job=self.object)
        if self.object.status == ImportJob.Status.DONE:
            messages.success(self.request, _("导入完成，共保存 %(n)d 行。") % {"n": self.object.done})

    def get_success_url(self):
        return self.object.get_absolute_url()


