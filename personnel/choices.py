from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Post(models.TextChoices):
    """The responsibility system of Orders 73/74 (seed 002 附件 1–3; docs/domain.md §Responsibility system)."""

    PRINCIPAL = "principal", _("主要负责人")
    SAFETY_DIRECTOR = "safety_director", _("安全总监")
    SAFETY_OFFICER = "safety_officer", _("安全员")
    QUALITY_SAFETY_DIRECTOR = "quality_safety_director", _("质量安全总监")
    QUALITY_SAFETY_OFFICER = "quality_safety_officer", _("质量安全员")


# Who keeps which record (Order 74 Art. 142–144): the officer checks daily, the director reviews weekly and
# closes the hazards found, the principal chairs the monthly dispatch. A quality-safety post counts as its peer.
OFFICER_POSTS = frozenset({Post.SAFETY_OFFICER, Post.QUALITY_SAFETY_OFFICER})
DIRECTOR_POSTS = frozenset({Post.SAFETY_DIRECTOR, Post.QUALITY_SAFETY_DIRECTOR})
PRINCIPAL_POSTS = frozenset({Post.PRINCIPAL})


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    JUNIOR_COLLEGE = "junior_college", _("大学专科")
    SECONDARY = "secondary", _("中专/高中")
    BELOW = "below", _("初中及以下")


class AssessmentResult(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class EndReason(models.TextChoices):
    REPLACED = "replaced", pgettext_lazy("end reason", "更换")
    RESIGNED = "resigned", _("离职")
    DISMISSED = "dismissed", _("免职")
    FAILED_ASSESSMENT = "failed_assessment", _("考核不合格调整")
    OTHER = "other", _("其他")
