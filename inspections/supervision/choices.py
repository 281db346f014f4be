from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateClass(models.TextChoices):
    """特种设备安全监察员证: class A is recommended up to SAMR, class B trained, examined and issued by the
    province (000 §一(十); the city recommends and checks, §二(九))."""

    A = "A", _("A 类")
    B = "B", _("B 类")


class Validity(models.TextChoices):
    """A certificate on a given day: in force, not yet in force, or past its expiry."""

    VALID = "valid", _("有效")
    NOT_YET = "not_yet", _("未生效")
    EXPIRED = "expired", _("已过期")
