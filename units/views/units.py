import pghistory.models
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from jurisdictions import access
from jurisdictions.duties import Duty, Role, Write
from jurisdictions.forms import EnterpriseAccountForm
from jurisdictions.models import ANCESTOR_TIERS, User
from portal.kit import history
from portal.kit.views import PER_PAGE, ScopedDetailView, ScopedFormView, ScopedListView
from units import services
from units.choices import UnitStatus
from units.filters import UnitFilter
from units.forms import UnitForm
from units.models import Equipment, Unit
from units.tables import EquipmentTable, UnitTable

HISTORY_LIMIT = 50


class UnitListView(ScopedListView):
    queryset = Unit.objects.select_related("jurisdiction")
    table_class = UnitTable
    filterset_class = UnitFilter
    title = _("单位")
    create_url_name = "units:unit_create"
    create_duty = Duty.MANAGE_UNITS
    import_url_name = "units:unit_import"
    import_duty = Duty.MANAGE_UNITS
    export_name = _("单位")
    empty_hint = _("辖区内受监管的使用单位、施工单位会列在这里；可逐个新增，也可用 Excel 批量导入。")


class UnitDetailView(ScopedDetailView):
    queryset = Unit.objects.select_related("jurisdiction")
    template_name = "units/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit, user = self.object, self.request.user
        grant_model = access.unit_grant_model()
        account_ids = grant_model.objects.filter(content_object=unit).values("user_id")
        context.update(
            accounts=User.objects.filter(pk__in=account_ids, role=Role.ENTERPRISE).order_by("username"),
            can_edit=access.can(user, Write.UNIT, unit),
            can_add_account=access.can(user, Write.UNIT_ACCOUNTS, unit),
            can_review=unit.status == UnitStatus.PENDING and access.can(user, Duty.MANAGE_UNITS, unit),
            can_add_equipment=unit.status not in (UnitStatus.PENDING, UnitStatus.REJECTED)
            and access.can(user, Write.RECORDS, unit),
            equipment_table=self.equipment_table(unit),
        )
        return context

    def equipment_table(self, unit: Unit) -> EquipmentTable:
        """The unit's equipment, paginated like any list (a unit may hold thousands of cylinders)."""
        table = EquipmentTable(unit.equipment.select_related("unit", "category", "equipment_type"),
                               exclude=("unit",), prefix="equipment-",
                               empty_text=_("本单位尚未登记特种设备；使用单位可点“新增设备”录入，"
                                            "或从设备列表导入 Excel。"))
        RequestConfig(self.request, paginate={"per_page": PER_PAGE}).configure(table)
        return table


class UnitHistoryView(ScopedDetailView):
    """Data-change history of one unit, from pghistory's trigger-written events (bulk writes too)."""

    queryset = Unit.objects.all()
    template_name = "units/unit_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = (
            pghistory.models.Events.objects.tracks(self.object).order_by("-pgh_created_at", "-pgh_id")
            .select_related(None)[:HISTORY_LIMIT]
        )
        # The ancestor columns repeat 所属辖区 for scoping; the reader sees the jurisdiction itself.
        context["entries"] = history.describe(events, Unit, hidden=ANCESTOR_TIERS)
        context["equipment_entries"] = self.equipment_entries()
        context["limit"] = HISTORY_LIMIT
        return context

    def equipment_entries(self) -> list[tuple[str, history.Entry]]:
        """The unit's equipment records as they changed (entered, edited, registered, moved by a 变更登记),
        each entry with the equipment it concerns; pghistory finds them by the event rows' unit column."""
        events = list(
            pghistory.models.Events.objects.across("units.EquipmentEvent").references(self.object)
            .order_by("-pgh_created_at", "-pgh_id").select_related(None)[:HISTORY_LIMIT]
        )
        names = {str(pk): str(e) for pk, e in Equipment.objects.select_related("equipment_type").in_bulk(
            {int(e.pgh_obj_id) for e in events}).items()}
        entries = history.describe(events, Equipment, hidden=(*ANCESTOR_TIERS, "unit", "category"))
        return [(names.get(str(e.pgh_obj_id), f"#{e.pgh_obj_id}"), entry)
                for e, entry in zip(events, entries, strict=True)]


class UnitCreateView(ScopedFormView):
    form_class = UnitForm
    duty = Duty.MANAGE_UNITS
    title = _("新增单位")
    success_message = _("单位已创建。")

    def save(self, form):
        d = form.cleaned_data
        return services.create_unit(by=self.request.user, uscc=d["uscc"], name=d["name"], kinds=d["kinds"],
                                    jurisdiction=d["jurisdiction"], address=d["address"],
                                    legal_representative=d["legal_representative"])


class UnitEditView(ScopedFormView):
    queryset = Unit.objects.select_related("jurisdiction")
    duty = Write.UNIT
    form_class = UnitForm
    title = _("修改单位信息")
    success_message = _("单位信息已保存。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fixed": services.fixed_unit_fields(self.request.user)}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if access.is_enterprise(self.request.user):
            del form.fields["jurisdiction"]
        return form

    def save(self, form):
        d = form.cleaned_data
        changes = {f: d[f] for f in services.UNIT_FIELDS if not form.fields[f].disabled}
        return services.update_unit(by=self.request.user, unit=self.object, jurisdiction=d.get("jurisdiction"),
                                    **changes)


class UnitAccountCreateView(ScopedFormView):
    """The station/county adds an enterprise account, or the enterprise adds a sub-account."""

    queryset = Unit.objects.select_related("jurisdiction")
    duty = Write.UNIT_ACCOUNTS
    form_class = EnterpriseAccountForm
    title = _("新增企业账号")
    success_message = _("企业账号已创建。")

    def save(self, form):
        d = form.cleaned_data
        services.create_enterprise_user(by=self.request.user, unit=self.object, username=d["username"],
                                        password=d["password"], display_name=d["display_name"], email=d["email"])
        return self.object
