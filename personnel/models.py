"""The enterprise responsibility system (seed 002; Orders 73/74; docs/domain.md §Responsibility system).

People belong to the unit that entered them and are placed where the unit is, so every list scopes
by one indexed column like units do. ID and phone numbers are stored three ways: sealed
(``portal.kit.crypto``), as a blind index for exact lookup, and pre-masked for display — pages,
exports and PDFs read the masked column and never decrypt; only ``services.reveal`` and the full
national export open the sealed one, and both are audited.
"""

from pathlib import Path

import pghistory
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from jurisdictions.models import Jurisdiction, Placed, tier_indexes
from personnel.choices import AssessmentResult, Education, EndReason, Post, Sex
from personnel.rules import SINGLE_HOLDER_POSTS
from portal.kit import jobs
from portal.kit.jobs import BackgroundJob
from portal.kit.masking import mask_text
from portal.kit.models import generated_name
from units.models import Equipment, Unit

ID_PURPOSE = "person.id_number"
PHONE_PURPOSE = "person.phone"


@pghistory.track(exclude=["id_cipher", "phone_cipher", "id_digest"])
class Person(Placed):
    """A principal, director, officer or operator of one unit (seed 002 附件 9–11 identity details)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("单位"))
    name = models.CharField(_("姓名"), max_length=64)
    id_cipher = models.BinaryField(_("身份证号码（密文）"), editable=False)
    id_digest = models.CharField(_("身份证号码索引"), max_length=64, editable=False)
    id_masked = models.CharField(_("居民身份证号码"), max_length=18, editable=False)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    phone_cipher = models.BinaryField(_("手机号码（密文）"), editable=False)
    phone_masked = models.CharField(_("手机号码"), max_length=11, editable=False)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    title = models.CharField(_("职称"), max_length=64, blank=True)
    account = models.OneToOneField(
        "jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True, related_name="person",
        verbose_name=_("登录账号"),
        help_text=_("本单位的企业账号：以此账号填报或签署的记录算作此人所任职务（总局令第74号第142–144条）。"),
    )
    assessment_failed = models.BooleanField(
        _("监督抽查考核不合格"), default=False,
        help_text=_("最近一次监督抽查考核不合格，通过复核考核后解除；在岗期间单位同时被标记，"
                    "离任或被更换后单位的标记解除（总局令第74号第147条）。"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    unit_path = "unit"

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [
            *tier_indexes("person", "-id"),
            models.Index(fields=["id_digest"], name="person_id_digest_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "id_digest"], name="person_once_per_unit"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("personnel:person_detail", args=[self.pk])


def _appointment_path(instance, filename):
    return generated_name("appointments", Path(filename).suffix.lower())


@pghistory.track()
class Appointment(Placed):
    """A person in a post at a unit, from ``started_on`` until ``ended_on`` (None: in office).

    Ended appointments are kept: they are the replacement history, and a replacement names the
    appointment it replaced. Order 74 Art. 137: every piece of equipment has a named responsible
    officer, hence ``equipment``.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("单位"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments",
                               verbose_name=_("人员"))
    post = models.CharField(_("职务"), max_length=32, choices=Post.choices)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    end_reason = models.CharField(_("离任原因"), max_length=32, choices=EndReason.choices, blank=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="replaced_by", verbose_name=_("接替"))
    covers = models.CharField(_("负责设备或岗位"), max_length=200, blank=True)
    equipment = models.ManyToManyField(Equipment, blank=True, related_name="responsible_appointments",
                                       verbose_name=_("负责设备"))
    document = models.FileField(_("任命文件"), upload_to=_appointment_path, blank=True)
    created_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    unit_path = "unit"

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        indexes = [
            models.Index(fields=["unit", "post"], name="appointment_unit_post_idx",
                         condition=models.Q(ended_on__isnull=True)),
            models.Index(fields=["county", "-id"], name="appointment_county_idx"),
            models.Index(fields=["city", "-id"], name="appointment_city_idx"),
            models.Index(fields=["province", "-id"], name="appointment_province_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "post"], name="appointment_one_holder",
                condition=models.Q(ended_on__isnull=True, post__in=sorted(SINGLE_HOLDER_POSTS)),
            ),
            models.UniqueConstraint(fields=["person", "post"], condition=models.Q(ended_on__isnull=True),
                                    name="appointment_person_post_once"),
            models.CheckConstraint(condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F(
                "started_on")), name="appointment_period"),
        ]

    def __str__(self):
        return f"{self.get_post_display()} {self.person}"

    def get_absolute_url(self):
        """Appointments are read on their unit's staff page: who holds which post, and since when."""
        return reverse("personnel:unit_staff", args=[self.unit_id])

    @property
    def in_office(self) -> bool:
        return self.ended_on is None


class UnitStaffing(models.Model):
    """How many people hold each post at a unit now; maintained by ``services`` in the same
    transaction as every appointment change, so the staffed-rate page is one aggregate.

    Whether the unit is *staffed* is not stored: it depends on the unit's kinds and status, which
    the units app may change, so ``querysets.staffed_q`` derives it from these counts.
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, primary_key=True, related_name="staffing")
    principal = models.PositiveSmallIntegerField(default=0)
    safety_director = models.PositiveSmallIntegerField(default=0)
    safety_officer = models.PositiveSmallIntegerField(default=0)
    quality_safety_director = models.PositiveSmallIntegerField(default=0)
    quality_safety_officer = models.PositiveSmallIntegerField(default=0)
    flagged = models.BooleanField(_("有考核不合格人员在岗"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("人员配备情况")
        verbose_name_plural = _("人员配备情况")

    def __str__(self):
        return f"{self.unit_id}"

    def holders(self) -> dict[str, int]:
        return {post: getattr(self, post) for post in Post.values}


class StaffingRollup(models.Model):
    """One node's staffed-rate figures for its whole subtree, as of the last refresh (``personnel.rollup``).

    ``/staffing/`` reads the node's row and its children's instead of aggregating every unit of the subtree at
    request time: at Gansu ×3 a province's aggregate cost four times a county's. The ``direct_`` figures are
    the units placed at the node itself rather than in one of its children (the page's “直属本级” row). Every
    row of one refresh carries the same ``as_of``. Not a record of anyone's: it is rebuilt whole each time
    and kept out of the history.
    """

    node = models.OneToOneField(Jurisdiction, on_delete=models.CASCADE, primary_key=True, related_name="+")
    total = models.PositiveIntegerField(default=0)
    exempt = models.PositiveIntegerField(default=0)
    staffed = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    direct_total = models.PositiveIntegerField(default=0)
    direct_exempt = models.PositiveIntegerField(default=0)
    direct_staffed = models.PositiveIntegerField(default=0)
    direct_flagged = models.PositiveIntegerField(default=0)
    as_of = models.DateTimeField(_("数据截至"))

    access_path = "node"

    class Meta:
        verbose_name = _("人员配备率汇总")
        verbose_name_plural = _("人员配备率汇总")

    def __str__(self):
        return f"{self.node_id}"


@pghistory.track()
class Certificate(Placed):
    """An operator or management certificate (特种设备安全管理和作业人员证, TSG Z6001; 000 §二(三))."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates",
                               verbose_name=_("持证人"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    item_code = models.CharField(_("作业项目代号"), max_length=8,
                                 help_text=_("如 A（特种设备安全管理）、T（电梯作业）、Q1、G1、N1"))
    number = models.CharField(_("证书编号"), max_length=64)
    issued_by = models.CharField(_("发证机关"), max_length=100)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    unit_path = "unit"

    class Meta:
        verbose_name = _("作业人员证")
        verbose_name_plural = _("作业人员证")
        indexes = [
            models.Index(fields=["expires_on"], name="certificate_expiry_idx"),
            models.Index(fields=["county", "expires_on"], name="certificate_county_expiry_idx"),
            models.Index(fields=["city", "expires_on"], name="certificate_city_expiry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "item_code", "number"], name="certificate_once"),
            models.CheckConstraint(condition=models.Q(expires_on__gte=models.F("issued_on")),
                                   name="certificate_period"),
        ]

    def __str__(self):
        return f"{self.item_code} {self.number_masked}"

    @property
    def number_masked(self) -> str:
        """Operators' certificates are numbered by the holder's ID number (TSG Z6001), so a page shows
        the number masked like the ID itself; only the full national export carries it whole."""
        return mask_text(self.number)

    def get_absolute_url(self):
        return self.person.get_absolute_url()


class CertificateReminder(models.Model):
    """One reminder per certificate per threshold (90 and 30 days): the unique key makes the beat
    task idempotent however often it runs (docs/architecture.md §Background work)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(_("提前天数"))
    expires_on = models.DateField(_("有效期至"))
    created_at = models.DateTimeField(_("提醒时间"), default=timezone.now)
    emailed_to = models.PositiveSmallIntegerField(_("邮件收件人数"), default=0)

    class Meta:
        verbose_name = _("证书到期提醒")
        verbose_name_plural = _("证书到期提醒")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "days_before", "expires_on"], name="reminder_once"),
        ]

    def __str__(self):
        return f"{self.certificate} -{self.days_before}d"


@pghistory.track()
class Training(Placed):
    """A training and assessment session the unit ran for its directors and officers (seed 002 附件 7)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("单位"))
    held_on = models.DateField(_("培训日期"))
    content = models.CharField(_("培训内容"), max_length=500)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    trainer = models.CharField(_("授课人或机构"), max_length=100)
    attendees = models.ManyToManyField(Person, through="TrainingResult", related_name="trainings",
                                       verbose_name=_("参训人员"))
    created_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    unit_path = "unit"

    class Meta:
        verbose_name = _("培训考核记录")
        verbose_name_plural = _("培训考核记录")
        indexes = [models.Index(fields=["unit", "-held_on"], name="training_unit_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="training_hours_positive")]

    def __str__(self):
        return f"{formats.date_format(self.held_on)} {self.content[:20]}"

    def get_absolute_url(self):
        """A training is read on its unit's staff page, with the unit's other trainings."""
        return reverse("personnel:unit_staff", args=[self.unit_id])


class TrainingResult(models.Model):
    """One attendee's assessment result in a training session (附件 7)."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="results")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("考核结果"), max_length=16, choices=AssessmentResult.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training", "person"], name="training_result_once")]

    def __str__(self):
        return f"{self.training_id}:{self.person_id} {self.result}"


@pghistory.track()
class SpotAssessment(Placed):
    """A regulator's 监督抽查考核 of a director or officer (seed 002 附件 8; Order 74 Art. 147): a failed
    one flags the person and the unit until the person passes a re-assessment or leaves the post."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments",
                               verbose_name=_("被考核人"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    assessed_on = models.DateField(_("考核日期"))
    score = models.PositiveSmallIntegerField(_("得分"))
    result = models.CharField(_("结果"), max_length=16, choices=AssessmentResult.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    assessor = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("考核人"))
    authority = models.ForeignKey("jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("考核机关"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    unit_path = "unit"

    class Meta:
        verbose_name = _("监督抽查考核")
        verbose_name_plural = _("监督抽查考核")
        indexes = [
            models.Index(fields=["county", "-assessed_on"], name="assessment_county_idx"),
            models.Index(fields=["city", "-assessed_on"], name="assessment_city_idx"),
            models.Index(fields=["province", "-assessed_on"], name="assessment_province_idx"),
            models.Index(fields=["person", "-assessed_on", "-id"], name="assessment_person_idx"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(score__lte=100), name="assessment_score_range")]

    def __str__(self):
        return f"{self.person} {formats.date_format(self.assessed_on)} {self.get_result_display()}"


class ExportJob(Placed, BackgroundJob):
    """One national-platform workbook (seed 002 附件 11), built by a Celery task into a stored file
    because a province's half a million rows take minutes (docs/architecture.md §Imports and exports). The file is
    sealed like the fields it copies, opened only by its creator, and removed after ``EXPORT_RETENTION_HOURS``;
    ``done`` counts the rows written."""

    class Status(models.TextChoices):
        QUEUED = jobs.QUEUED, _("排队中")
        RUNNING = jobs.RUNNING, _("生成中")
        DONE = jobs.DONE, _("已生成")
        FAILED = jobs.FAILED, _("生成失败")
        EXPIRED = "expired", _("已过期删除")

    full = models.BooleanField(_("完整身份信息"), default=False)
    reason = models.CharField(_("用途"), max_length=200, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)

    file_dir = "exports"
    file_suffix = ".xlsx.sealed"

    class Meta:
        verbose_name = _("人员信息导出")
        verbose_name_plural = _("人员信息导出")
        indexes = [models.Index(fields=["created_by", "-id"], name="export_creator_idx")]

    def __str__(self):
        return _("人员信息导出 #%(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("personnel:national_export")
