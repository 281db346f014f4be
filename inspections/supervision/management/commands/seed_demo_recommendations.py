"""Demo 三书一函 (``make run``): 兰州市 received a 检察建议书 routed to 城关区, being handled there; a
司法建议书 routed to 七里河区 and overdue (escalated to the 七里河区 and 兰州 leaders' inboxes); a 公安提示函
waiting at 兰州 to be routed; 城关区 received a 监察建议书 itself and has replied (the reply letter
downloads); 七里河区 an archived one. Each made through the services as the demo accounts ``lanzhou``,
``chengguan`` and ``qilihe`` would, so the timeline and the audit log show the same trail (docs/domain.md
§Recommendations). Idempotent: an instrument whose issuer and number are already registered is skipped."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from inspections.supervision import recommendation_services as services
from inspections.supervision.models import Recommendation
from inspections.supervision.recommendation_choices import Kind
from jurisdictions.models import Jurisdiction, User

# (receiver, kind, issuer, number, case, case code, sector, content, days since receipt, days to reply,
#  routed to, handler, how far it got)
DEMO = (
    ("lanzhou", Kind.PROCURATORIAL, "兰州市城关区人民检察院", "城检行公建〔2026〕5号", "某小区电梯困人致伤案",
     "（2026）甘0102刑初18号", "电梯",
     "建议加强辖区住宅小区电梯维护保养质量监管，督促物业服务企业落实电梯安全管理责任。",
     10, 50, "620102", "chengguan", "in_progress"),
    ("lanzhou", Kind.JUDICIAL, "兰州市七里河区人民法院", "七法司建〔2026〕2号", "某热力公司锅炉爆燃事故损害赔偿纠纷案",
     "（2026）甘0103民初311号", "锅炉", "建议对辖区燃气锅炉使用单位开展专项检查，督促落实锅炉安全附件定期校验。",
     40, 30, "620103", "qilihe", "overdue"),
    ("lanzhou", Kind.POLICE, "兰州市公安局城关分局", "城公治提〔2026〕9号", "某商场自动扶梯伤人事件",
     "", "电梯", "提示加强大型商场自动扶梯安全监管，督促使用单位落实日管控、周排查、月调度。",
     2, 28, None, None, "registered"),
    ("chengguan", Kind.SUPERVISORY, "兰州市城关区监察委员会", "城监建〔2026〕3号", "某公司违规使用未登记压力容器问题",
     "", "压力容器", "建议严格特种设备使用登记审查，对未办理使用登记擅自使用的行为依法查处。",
     25, 30, None, "chengguan", "replied"),
    ("qilihe", Kind.PROCURATORIAL, "兰州市七里河区人民检察院", "七检行公建〔2026〕1号",
     "某游乐场大型游乐设施停运检修案",
     "", "大型游乐设施", "建议督促游乐场所经营单位落实大型游乐设施定期检验和日常维护。",
     90, 60, None, "qilihe", "archived"),
)


def _scan(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo scan\n%%EOF\n", content_type="application/pdf")


class Command(BaseCommand):
    help = "为演示账号登记几件三书一函（办理中、已逾期、待交办、已回复、已归档；可重复执行）。"

    def handle(self, *args, **options):
        today, made = timezone.localdate(), 0
        users = {u.username: u for u in User.objects.filter(username__in={"lanzhou", "chengguan", "qilihe"})}
        with transaction.atomic():
            for (receiver, kind, issuer, number, case, code, sector, content, ago, due, to, handler,
                 stage) in DEMO:
                known = Recommendation.objects.filter(issuer=issuer, document_number=number).exists()
                if receiver not in users or known:
                    continue
                received = today - timedelta(days=ago)
                r = services.register(by=users[receiver], kind=kind, issuer=issuer, document_number=number,
                                      issued_on=received - timedelta(days=3), received_on=received, case_name=case,
                                      case_code=code, sector=sector, content=content,
                                      reply_due_on=received + timedelta(days=due), attachments=[_scan(f"{number}.pdf")])
                if to:
                    r = services.route(by=users[receiver], recommendation=r, to=Jurisdiction.objects.get(code=to),
                                       note="请依职责办理，并按期书面回复。")
                if stage in ("in_progress", "replied", "archived"):
                    r = services.record_measures(by=users[handler], recommendation=r,
                                                 measures="已对辖区相关使用单位开展专项检查，督促整改发现的问题。")
                if stage in ("replied", "archived"):
                    r = services.reply(by=users[handler], recommendation=r, reply_kind="adopted", rectification="done",
                                       text="经专项检查，相关问题已督促使用单位整改到位，并建立长效监管机制。",
                                       replied_on=today - timedelta(days=1))
                if stage == "archived":
                    services.archive(by=users[handler], recommendation=r, note="办结归档。")
                made += 1
        escalated = services.escalate_overdue()
        self.stdout.write(self.style.SUCCESS(f"演示三书一函：新登记 {made} 件，逾期督办 {escalated} 件。"))
