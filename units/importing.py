"""Excel import of units and equipment (docs/security.md §Uploads and Excel).

``start_import`` checks the upload before parsing (type, size, zip members and uncompressed size),
stores it under a generated name and dry-runs every row: nothing is saved while any row has an
error. ``confirm_import`` saves all rows in one transaction, re-checking scope per row; files of
more than ``ASYNC_ROWS`` rows are saved by a Celery task via the outbox. An import never changes or
moves an existing unit or piece of equipment: such a row is rejected.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty, Tier, Write
from jurisdictions.models import AuditEvent, Jurisdiction, User
from portal.kit import jobs, outbox
from portal.kit.identifiers import normalize_uscc, validate_uscc
from portal.kit.imports import IMPORTERS, Importer, RowsRefused, register, validate_kind
from portal.kit.wording import clauses, listing
from units.choices import UnitKind, UnitStatus
from units.models import Equipment, EquipmentType, ImportJob, Unit
from units.services import validate_equipment_code

MAX_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 100
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_ROWS = 20_000
ASYNC_ROWS = 1_000
BATCH = 1_000

UNIT_COLUMNS = ("统一社会信用代码", "单位名称", "单位类别", "所属辖区代码", "地址", "法定代表人")
EQUIPMENT_COLUMNS = ("统一社会信用代码", "设备品种代码", "设备代码", "出厂编号", "制造单位", "安装使用地点",
                     "下次定期检验日期")
KIND_SEPARATORS = re.compile("[、，,]")
KIND_WORDS = {"生产": UnitKind.PRODUCTION, "生产单位": UnitKind.PRODUCTION, "使用": UnitKind.USAGE,
              "使用单位": UnitKind.USAGE, "充装": UnitKind.FILLING, "充装单位": UnitKind.FILLING}


# --- The file -----------------------------------------------------------------------------------

def check_upload(upload) -> None:
    """.xlsx only, size-capped, and a zip that cannot expand into a bomb — before openpyxl sees it."""
    if Path(upload.name or "").suffix.lower() != ".xlsx":
        raise ValidationError(_("只接受 Excel（.xlsx）格式的文件。"))
    if upload.size > MAX_BYTES:
        raise ValidationError(_("文件超过 %(mb)d MB 上限，请拆分后分批导入。") % {"mb": MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
                raise ValidationError(_("文件解压后过大或结构异常，已拒绝。请使用标准 Excel 文件导入。"))
            if "xl/workbook.xml" not in {m.filename for m in members}:
                raise ValidationError(_("文件不是有效的 Excel（.xlsx）工作簿。"))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(_("文件不是有效的 Excel（.xlsx）工作簿。")) from exc
    finally:
        upload.seek(0)


def read_rows(path_or_file, columns: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(Excel row number, {column: text or date}) for every non-empty row of the first sheet."""
    from openpyxl import load_workbook  # uses defusedxml when installed

    try:
        workbook = load_workbook(path_or_file, read_only=True, data_only=True)
    except Exception as exc:  # any parse failure is a bad file to the user
        raise ValidationError(_("文件不是有效的 Excel（.xlsx）工作簿。")) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        missing = [c for c in columns if c not in header]
        if missing:
            raise ValidationError(_("缺少表头列：%(cols)s。请使用导入模板。") % {"cols": listing(missing)})
        index = {c: header.index(c) for c in columns}
        result = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            row = {}
            for c, i in index.items():
                v = values[i] if i < len(values) else None
                row[c] = v if isinstance(v, dt.date) else ("" if v is None else str(v).strip())
            result.append((number, row))
            if len(result) > MAX_ROWS:
                raise ValidationError(_("单个文件最多 %(n)d 行，请拆分后分批导入。") % {"n": MAX_ROWS})
        return result
    finally:
        workbook.close()


def parse_date(value, label: str = gettext_lazy("下次定期检验日期")) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("%(label)s“%(v)s”格式不正确，应为 2026-01-31 这样的日期。") % {"label": label, "v": value})


def messages_of(exc: ValidationError) -> str:
    return clauses(exc.messages)


# --- The blank template ---------------------------------------------------------------------------

def template_workbook(kind: str) -> bytes:
    """A blank .xlsx for ``kind``: the first sheet holds only the importer's declared header (so a filled
    copy imports as it is), a second sheet 填写说明 says how to fill each column."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    importer = IMPORTERS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.label)
    sheet.append(list(importer.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.number_format = "@"
        sheet.column_dimensions[cell.column_letter].width = max(14, 2 * len(cell.value) + 4)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("填写说明"))
    guide.append([_("列名"), _("填写说明")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in importer.columns:
        guide.append([column, str(importer.hints.get(column, ""))])
    guide.append([])
    for line in (_("第一行是表头，请勿修改或删除；从第二行起每行填写一条，空行会被跳过。"),
                 _("日期请写成 2026-01-31 这样的格式；身份证号码、代码类的列请设为文本，以免丢失前导零或末位。"),
                 _("上传后先校验全部数据行，全部通过后确认导入；有任何错误时不保存任何数据。"), str(importer.note)):
        guide.append([line])
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 70
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Row checks (shared by the dry run and the save) ---------------------------------------------

def _plan_units(user: User, rows) -> tuple[list[dict], list[dict]]:
    """Validate unit rows: returns (errors, planned Unit kwargs). No writes."""
    errors, plans, seen = [], [], {}
    usccs = {normalize_uscc(r["统一社会信用代码"]) for _n, r in rows}
    existing = set(Unit.objects.filter(uscc__in=usccs).values_list("uscc", flat=True))
    codes = {r["所属辖区代码"] for _n, r in rows}
    nodes = {n.code: n for n in Jurisdiction.objects.filter(code__in=codes)}
    ancestors: dict[int, dict] = {}
    for number, r in rows:
        reasons = []
        uscc = normalize_uscc(r["统一社会信用代码"])
        try:
            validate_uscc(uscc)
        except ValidationError as exc:
            reasons.append(messages_of(exc))
        else:
            if uscc in seen:
                reasons.append(_("统一社会信用代码 %(c)s 与第 %(n)d 行重复。") % {"c": uscc, "n": seen[uscc]})
            elif uscc in existing:
                reasons.append(_("统一社会信用代码 %(c)s 已登记，导入不能修改或转移已有单位。") % {"c": uscc})
            seen.setdefault(uscc, number)
        name = r["单位名称"]
        if not name:
            reasons.append(_("单位名称不能为空。"))
        words = [w.strip() for w in KIND_SEPARATORS.split(r["单位类别"]) if w.strip()]
        unknown = [w for w in words if w not in KIND_WORDS]
        if not words or unknown:
            reasons.append(_("单位类别“%(v)s”无法识别，应为 生产、使用、充装 中的一个或多个，用“、”分隔。") % {
                "v": r["单位类别"]})
        node = nodes.get(r["所属辖区代码"])
        if node is None or node.tier != Tier.STATION:
            reasons.append(_("所属辖区代码“%(v)s”不是有效的市场监管所代码。") % {"v": r["所属辖区代码"]})
        elif not access.can(user, Duty.MANAGE_UNITS, node):
            reasons.append(_("所属辖区 %(name)s（%(code)s）不在您的管辖范围内。") % {"name": node.name,
                                                                             "code": node.code})
        if reasons:
            errors.append({"row": number, "reasons": reasons})
            continue
        if node.pk not in ancestors:
            ancestors[node.pk] = node.ancestor_ids()
        plans.append({"uscc": uscc, "name": name[:200], "kinds": sorted({KIND_WORDS[w] for w in words}),
                      "address": r["地址"][:200], "legal_representative": r["法定代表人"][:64],
                      "node": node, "ancestors": ancestors[node.pk]})
    return errors, plans


def _plan_equipment(user: User, rows) -> tuple[list[dict], list[dict]]:
    errors, plans, seen = [], [], {}
    duty = Write.RECORDS
    usccs = {normalize_uscc(r["统一社会信用代码"]) for _n, r in rows}
    units = {u.uscc: u for u in access.scope(Unit.objects.select_related("jurisdiction"), user, duty)
             .filter(uscc__in=usccs)}
    types = {t.code: t for t in EquipmentType.objects.all()}
    codes = {(r["设备代码"] or "").strip().upper().replace(" ", "") for _n, r in rows} - {""}
    existing = set(Equipment.objects.filter(code__in=codes).values_list("code", flat=True))
    for number, r in rows:
        reasons = []
        uscc = normalize_uscc(r["统一社会信用代码"])
        unit = units.get(uscc)
        if unit is None:
            reasons.append(_("统一社会信用代码 %(c)s 不是您可以录入设备的单位（未登记或不在您的管辖范围内）。") % {
                "c": uscc or _("（空）")})
        elif unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
            reasons.append(_("单位 %(name)s 尚未经属地市场监管所确认，暂不能录入设备。") % {"name": unit.name})
        etype = types.get(r["设备品种代码"])
        if etype is None or etype.parent_id is None:
            reasons.append(_("设备品种代码“%(v)s”不在特种设备目录中。") % {"v": r["设备品种代码"]})
        code = ""
        if etype is not None:
            try:
                code = validate_equipment_code(r["设备代码"], etype)
            except ValidationError as exc:
                reasons.append(messages_of(exc))
        if code:
            if code in seen:
                reasons.append(_("设备代码 %(c)s 与第 %(n)d 行重复。") % {"c": code, "n": seen[code]})
            elif code in existing:
                reasons.append(_("设备代码 %(c)s 已登记在册，导入不能修改或转移已有设备。") % {"c": code})
            seen.setdefault(code, number)
        try:
            due = parse_date(r["下次定期检验日期"])
        except ValidationError as exc:
            reasons.append(messages_of(exc))
        if reasons:
            errors.append({"row": number, "reasons": reasons})
            continue
        plans.append({"unit": unit, "equipment_type": etype, "category": types[etype.category_code], "code": code,
                      "factory_number": r["出厂编号"][:64], "manufacturer": r["制造单位"][:200],
                      "location": r["安装使用地点"][:200], "next_inspection_on": due})
    return errors, plans


def plan(user: User, kind: str, rows) -> tuple[list[dict], list[dict]]:
    return IMPORTERS[kind].plan(user, rows)


# --- The job ------------------------------------------------------------------------------------

def start_import(*, by: User, kind: str, upload) -> ImportJob:
    """Check and store the upload, then dry-run every row; the job records the errors (if any)."""
    validate_kind(kind)
    if not access.can(by, IMPORTERS[kind].duty):
        raise ValidationError(_("您没有导入权限。"))
    check_upload(upload)
    rows = read_rows(upload, IMPORTERS[kind].columns)
    if not rows:
        raise ValidationError(_("文件中没有数据行。"))
    errors, _plans = plan(by, kind, rows)
    job = ImportJob(kind=kind, created_by=by, original_name=Path(upload.name).name[:200], total=len(rows),
                    errors=errors, status=ImportJob.Status.INVALID if errors else ImportJob.Status.VALIDATED)
    if access.is_enterprise(by):
        from units.services import unit_of

        job.unit = unit_of(by)
        job.place_with(job.unit)
    else:
        job.place(by.jurisdiction)
    upload.seek(0)
    job.file.save("upload.xlsx", upload, save=False)
    job.save()
    return job


def confirm_import(*, by: User, job: ImportJob) -> ImportJob:
    """确认导入: small files are saved now; large ones by a task, enqueued in this transaction."""
    with transaction.atomic():
        job = access.get_or_404(ImportJob.objects.select_for_update().owned_by(by), by, Duty.VIEW, pk=job.pk)
        if job.status != ImportJob.Status.VALIDATED:
            raise ValidationError(_("该导入当前状态为“%(s)s”，不能确认导入。") % {"s": job.get_status_display()})
        if job.total > ASYNC_ROWS:
            job.status = ImportJob.Status.QUEUED
            job.save(update_fields=["status"])
            outbox.enqueue("units.tasks.run_import", job.pk)
            return job
    run_import(job.pk)
    job.refresh_from_db()
    if job.status == ImportJob.Status.FAILED:
        raise ValidationError(_("导入未完成，没有保存任何数据：%(e)s") % {
            "e": clauses(_("第 %(row)s 行：%(reasons)s") % {"row": e["row"], "reasons": clauses(e["reasons"])}
                         for e in job.errors[:20])})
    return job


def run_import(job_pk: int) -> None:
    """Save every row of a validated job in one transaction; any row that fails now (scope changed,
    duplicate appeared) saves nothing and the job records why."""
    job = ImportJob.claim(job_pk, waiting=(ImportJob.Status.VALIDATED, ImportJob.Status.QUEUED))
    if job is None:
        return
    user = job.created_by
    try:
        with transaction.atomic():
            with job.file.open("rb") as fh:
                rows = read_rows(fh, job.importer.columns)
            errors, plans = plan(user, job.kind, rows)
            if errors:
                raise RowsRefused(errors)
            saved = _save(job, plans)
            record(AuditEvent.Kind.IMPORT, user=user, obj=job,
                   detail={"action": f"import_{job.kind}", "rows": saved, "file": job.original_name})
            job.finish(jobs.DONE, done=saved, errors=[])
    except RowsRefused as refused:
        job.finish(jobs.FAILED, done=0, errors=refused.errors)
    except IntegrityError:
        job.finish(jobs.FAILED, done=0, errors=[{"row": 0, "reasons": [
            _("导入期间有人同时登记了相同的统一社会信用代码或设备代码，没有保存任何数据，请重新上传校验。")]}])
    except Exception:
        job.finish(jobs.FAILED, done=0,
                   errors=[{"row": 0, "reasons": [_("导入过程中出错，没有保存任何数据，请稍后重试。")]}])
        raise
    finally:
        job.forget_progress()


def _save(job: ImportJob, plans: list[dict]) -> int:
    saved = 0
    for start in range(0, len(plans), BATCH):
        chunk = plans[start:start + BATCH]
        job.importer.save(job, chunk)
        saved += len(chunk)
        job.report_progress(saved)
    return saved


def _save_units(job: ImportJob, chunk: list[dict]) -> None:
    objs = []
    for p in chunk:
        unit = Unit(uscc=p["uscc"], name=p["name"], kinds=p["kinds"], address=p["address"],
                    legal_representative=p["legal_representative"], status=UnitStatus.ACTIVE)
        unit.place(p["node"], p["ancestors"])
        objs.append(unit)
    Unit.objects.bulk_create(objs)


def _save_equipment(job: ImportJob, chunk: list[dict]) -> None:
    objs = []
    for p in chunk:
        equipment = Equipment(**p)
        equipment.place_with(p["unit"])
        objs.append(equipment)
    Equipment.objects.bulk_create(objs)


UNIT_HINTS = {
    "统一社会信用代码": gettext_lazy("必填，18 位，见营业执照。"),
    "单位名称": gettext_lazy("必填。"),
    "单位类别": gettext_lazy("必填：生产、使用、充装 中的一个或多个，用“、”分隔。"),
    "所属辖区代码": gettext_lazy("必填：属地市场监管所的辖区代码（在辖区页面查看），须在您的管辖范围内。"),
    "地址": gettext_lazy("选填。"),
    "法定代表人": gettext_lazy("选填。"),
}
EQUIPMENT_HINTS = {
    "统一社会信用代码": gettext_lazy("必填：设备所属使用单位的代码，单位须已在平台确认。"),
    "设备品种代码": gettext_lazy("必填：特种设备目录的品种代码，如 3110（曳引驱动乘客电梯）。"),
    "设备代码": gettext_lazy("选填：18 位设备代码，或旧注册代码 20 位数字。"),
    "出厂编号": gettext_lazy("选填。"),
    "制造单位": gettext_lazy("选填。"),
    "安装使用地点": gettext_lazy("选填。"),
    "下次定期检验日期": gettext_lazy("选填，如 2027-01-31。"),
}

NOTE = gettext_lazy("已登记的单位或设备不能通过导入修改或转移。")

register(Importer(kind="units", label=gettext_lazy("单位"), title=gettext_lazy("导入单位"), columns=UNIT_COLUMNS,
                  duty=Duty.MANAGE_UNITS, plan=_plan_units, save=_save_units,
                  upload_url_name="units:unit_import", note=NOTE, hints=UNIT_HINTS))
register(Importer(kind="equipment", label=gettext_lazy("设备"), title=gettext_lazy("导入设备"),
                  columns=EQUIPMENT_COLUMNS, duty=Write.RECORDS, plan=_plan_equipment, save=_save_equipment,
                  upload_url_name="units:equipment_import", note=NOTE, hints=EQUIPMENT_HINTS))
