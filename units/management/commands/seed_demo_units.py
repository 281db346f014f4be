"""Demo equipment, use-registration applications and work notifications for the demo enterprises of
``seed_demo``, so that every equipment and registration page has rows on first login.

Everything goes through ``units.services`` as the enterprises (qiye1–3) and their cities would do it on
their pages (the city accepts and decides), so the audit log and the data-change history show the same
trail. A unit that already has demo equipment (factory numbers ``DEMO-…``) is skipped: ``make run`` runs
this every time.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from jurisdictions import access
from jurisdictions.models import AuditEvent, User
from units import services
from units.choices import ApplicationKind, DocumentKind, EquipmentStatus, NotificationKind, UnitStatus
from units.models import Equipment, EquipmentType, Unit

DEMO_PREFIX = "DEMO-"
# The city registers (000 §二(二)): its demo account by city code.
REGISTRARS = {"620100": "lanzhou", "620500": "tianshui"}
ENTERPRISES = ("qiye1", "qiye2", "qiye3")
MAKER = "62010"
LOCATIONS = ("1号楼", "2号楼", "主厂房", "仓库", "地下车库", "办公楼", "综合楼", "锅炉房", "车间", "3号楼")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo document\n%%EOF\n", content_type="application/pdf")


REGISTER_DOCUMENTS = ((DocumentKind.FORM, "特种设备使用登记表.pdf"),
                      (DocumentKind.PRODUCT_CERTIFICATE, "产品合格证.pdf"))

# name, variety, days to the next periodic inspection: what happens to each piece is in ``seed_unit``.
PLAN = (
    ("in_use", "3110", 200),
    ("overdue", "3110", -12),  # 在用, 检验已超期
    ("due_soon", "3110", 18),  # 在用, 检验 30 天内到期
    ("suspended", "5110", 150),
    ("deregistered", "5110", 90),
    ("scrapped", "2310", 60),
    ("submitted", "3110", 365),  # 使用登记 待受理
    ("accepted", "3110", 365),  # 使用登记 已受理
    ("rejected", "5110", 365),  # 不予办理, stays 未登记
    ("unregistered", "2310", -5),  # 未登记, past its inspection date
)


class Command(BaseCommand):
    help = "为演示企业生成设备、使用登记申请和安装改造修理告知（可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        seeded = 0
        for username in ENTERPRISES:
            user = User.objects.filter(username=username).first()
            unit = services.unit_of(user) if user else None
            if unit is None or unit.status != UnitStatus.ACTIVE:
                continue
            registrar = User.objects.filter(username=REGISTRARS.get(unit.city.code if unit.city_id else "")).first()
            if registrar is None:
                raise CommandError("请先运行 seed_demo。")
            if Equipment.objects.filter(unit=unit, factory_number__startswith=DEMO_PREFIX).exists():
                continue
            self.seed_unit(unit, user, registrar, index=ENTERPRISES.index(username))
            seeded += 1
        self.stdout.write(self.style.SUCCESS(f"已为 {seeded} 个演示企业生成设备、申请和告知。"))

    def seed_unit(self, unit: Unit, user: User, registrar: User, *, index: int) -> None:
        today = timezone.localdate()
        year = today.year - 2
        pieces = {}
        for n, (name, variety, due_in) in enumerate(PLAN):
            suffix = f"{n + 1:02d}"
            equipment_type = EquipmentType.objects.get(code=variety)
            pieces[name] = services.add_equipment(
                by=user, unit=unit, equipment_type=equipment_type,
                code=f"{variety}{MAKER}{year}{index + 1}{unit.pk % 100:02d}{suffix}",
                factory_number=f"{DEMO_PREFIX}{unit.pk}-{suffix}", manufacturer="兰州示例特种设备制造有限公司",
                model_number=f"DM-{suffix}", location=f"{unit.address or unit.name}{LOCATIONS[n]}",
                commissioned_on=today - timedelta(days=400 + 30 * n),
                last_inspection_on=today - timedelta(days=365 - due_in) if due_in < 365 else None,
                next_inspection_on=today + timedelta(days=due_in))

        def apply(kind, *fates, reason="", changes=None):
            documents = ([(k, _pdf(name)) for k, name in REGISTER_DOCUMENTS]
                         if kind == ApplicationKind.REGISTER else [])
            return services.submit_application(by=user, unit=unit, kind=kind, equipment=[pieces[f] for f in fates],
                                               reason=reason, documents=documents, changes=changes)

        def decide(application):
            services.accept_application(by=registrar, application=application)
            return services.approve_application(by=registrar, application=application)

        # Registered with a certificate number (使用登记证), then some of them change state.
        decide(apply(ApplicationKind.REGISTER, "in_use", "suspended", "deregistered", "scrapped"))
        decide(apply(ApplicationKind.REGISTER, "overdue", "due_soon"))
        decide(apply(ApplicationKind.SUSPEND, "suspended", reason="设备大修，暂停使用"))
        decide(apply(ApplicationKind.DEREGISTER, "deregistered", reason="设备已拆除"))
        self.scrap(pieces["scrapped"], user)
        apply(ApplicationKind.REGISTER, "submitted")
        services.accept_application(by=registrar, application=apply(ApplicationKind.REGISTER, "accepted"))
        services.reject_application(by=registrar, application=apply(ApplicationKind.REGISTER, "rejected"),
                                    reason="产品合格证与设备铭牌的出厂编号不一致，请核对后重新申请。")
        # Applied again, then withdrawn (撤回) before acceptance to correct the documents once more.
        services.withdraw_application(by=user, application=apply(ApplicationKind.REGISTER, "rejected"))
        apply(ApplicationKind.CHANGE, "in_use", reason="设备移装（登记机关辖区内）",
              changes={"location": f"{unit.address or unit.name}2号楼（移装）"})
        self.notify(unit, user, registrar)

    def scrap(self, equipment: Equipment, user: User) -> None:
        """报废 has no application of its own (the unit decides it, then applies for 注销,
        docs/domain.md §Use registration) and no service moves a piece there yet; the demo records the unit's decision
        as a data change."""
        with transaction.atomic():
            equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
            equipment.status = EquipmentStatus.SCRAPPED
            equipment.version += 1
            equipment.save()
            access.record_event(AuditEvent.Kind.DATA_CHANGED, user=user, obj=equipment,
                                detail={"action": "scrap_equipment", "demo": True})

    def notify(self, notifier: Unit, user: User, registrar: User) -> None:
        """Install and repair notifications (告知) from the demo production unit to a usage unit of its county."""
        site = (Unit.objects.filter(county_id=notifier.county_id, status=UnitStatus.ACTIVE)
                .exclude(pk=notifier.pk).order_by("id").first())
        if site is None:
            return
        today = timezone.localdate()
        elevator = EquipmentType.objects.get(code="3110")
        try:
            first = services.submit_notification(
                by=user, notifier=notifier, kind=NotificationKind.INSTALL, site_uscc=site.uscc,
                equipment_type=elevator, site_address=f"{site.address or site.name} 3号楼",
                planned_start=today + timedelta(days=7), description="新装曳引驱动乘客电梯 2 台")
            # The unit both makes and uses elevators: it repairs one of its own (its station sees this one).
            services.submit_notification(
                by=user, notifier=notifier, kind=NotificationKind.REPAIR, site_uscc=notifier.uscc,
                equipment_type=elevator, site_address=f"{notifier.address or notifier.name} 1号楼",
                planned_start=today + timedelta(days=14), description="更换曳引机钢丝绳")
        except ValidationError as exc:
            raise CommandError(f"演示告知未能提交：{exc.messages}") from exc
        services.acknowledge_notification(by=registrar, notification=first)
