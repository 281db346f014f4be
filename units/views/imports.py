"""Excel import of any registered importer: upload (dry run), results, 确认导入, progress (units.importing)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from jurisdictions import access
from portal.kit.imports import IMPORTERS
from portal.kit.views import XLSX, ConfirmActionView, JobStatusView, JobUploadView, OwnJobMixin, ScopedDetailView
from units import importing
from units.models import ImportJob


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"),
                           help_text=_("仅接受 .xlsx 格式，不超过 5 MB；第一行为表头。"))


class ImportUploadView(JobUploadView):
    """Upload and dry run of the registered importer ``kind``, fixed per URL."""

    form_class = ImportForm
    template_name = "units/import_upload.html"
    kind = ""

    @property
    def importer(self):
        return IMPORTERS[self.kind]

    @property
    def duty(self):
        return self.importer.duty

    @property
    def title(self):
        return self.importer.title

    def start(self, upload):
        return importing.start_import(by=self.request.user, kind=self.kind, upload=upload)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(columns=self.importer.columns, note=self.importer.note,
                       template_url=reverse("units:import_template", args=[self.kind]))
        return context


class ImportTemplateView(LoginRequiredMixin, View):
    """The blank workbook of one registered importer, to whoever may run that import; anyone else, or an
    unknown kind, reads 404."""

    def get(self, request, kind):
        if kind not in IMPORTERS or not access.can(request.user, IMPORTERS[kind].duty):
            raise Http404
        response = HttpResponse(importing.template_workbook(kind), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=gettext("%(kind)s导入模板.xlsx") % {"kind": IMPORTERS[kind].label})
        return response


class UnitImportView(ImportUploadView):
    kind = "units"


class EquipmentImportView(ImportUploadView):
    kind = "equipment"


class ImportDetailView(OwnJobMixin, ScopedDetailView):
    queryset = ImportJob.objects.all()
    template_name = "units/import_detail.html"


class ImportProgressView(JobStatusView):
    queryset = ImportJob.objects.all()
    template_name = "units/_import_progress.html"


class ImportConfirmView(OwnJobMixin, ConfirmActionView):
    queryset = ImportJob.objects.all()
    form_class = forms.Form
    title = _("确认导入")
    button = _("确认导入")
    danger = False

    @property
    def question(self):
        return _("将导入 %(n)d 行数据，全部保存或全部不保存。确认导入吗？") % {"n": self.object.total}

    def perform(self, form):
        self.object = importing.confirm_import(by=self.request.user, job=self.object)
        if self.object.status == ImportJob.Status.DONE:
            messages.success(self.request, _("导入完成，共保存 %(n)d 行。") % {"n": self.object.done})
