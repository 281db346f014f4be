"""Re-seal personal numbers under the newest field key (docs/security.md §Personal information; PIPL Art. 51).

Key rotation is three steps: put a new key first in ``FIELD_ENCRYPTION_KEY`` and keep the old ones
after it (everything still opens; lookups try every key's blind index), run this command so every
row is sealed and indexed under the new key, then remove the old keys. Until the last step a leaked
old key still opens the rows it sealed; after it, it opens nothing.

Rows are re-sealed in primary-key batches, each in its own transaction with the rows locked, so a
person edited meanwhile is neither overwritten nor left half-rotated; a crash or a rerun only redoes
the rows not yet current.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from personnel.models import ID_PURPOSE, PHONE_PURPOSE, Person
from portal.kit import crypto
from units.models import CONTACT_PHONE_PURPOSE, Unit


class Command(BaseCommand):
    help = "用 FIELD_ENCRYPTION_KEY 中最新的密钥重新加密人员身份证号码、手机号码和单位联系电话；--generate 生成新密钥。"

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help=_("输出一个新密钥后退出（不改动数据）。"))
        parser.add_argument("--batch-size", type=int, default=500, help=_("每个事务处理的人员数（默认 500）。"))

    def handle(self, *args, generate=False, batch_size=500, **options):
        if generate:
            self.stdout.write(crypto.generate_key())
            return
        if batch_size < 1:
            raise CommandError(_("--batch-size 应为正整数。"))
        crypto.keys()  # a missing or malformed key stops here, before any row is touched
        people = _reseal_in_batches(Person.objects.all(), ("id_cipher", "phone_cipher", "id_digest"),
                                    lambda person: not _current(person), _reseal, batch_size)
        self.stdout.write(self.style.SUCCESS(
            _("已用最新密钥重新加密 %(count)d 名人员的身份证号码和手机号码。") % {"count": people}))
        units = _reseal_in_batches(Unit.objects.exclude(contact_phone_cipher=b""),
                                   ("contact_phone_cipher", "contact_phone_digest"),
                                   lambda unit: not crypto.is_current(unit.contact_phone_cipher), _reseal_unit,
                                   batch_size)
        self.stdout.write(self.style.SUCCESS(_("已用最新密钥重新加密 %(count)d 个单位的联系电话。") % {"count": units}))
        if len(crypto.keys()) > 1:
            self.stdout.write(_("确认无误后，可从 FIELD_ENCRYPTION_KEY 中删除旧密钥。"))


def _reseal_in_batches(queryset, fields, stale, reseal, batch_size: int) -> int:
    """Lock a primary-key batch of ``queryset``, re-seal its ``stale`` rows and save ``fields``; one
    transaction a batch, so a crash or a rerun only redoes the rows not yet current."""
    resealed = after = 0
    while True:
        with transaction.atomic():
            batch = list(queryset.select_for_update().filter(pk__gt=after).order_by("pk")
                         .only("pk", *fields)[:batch_size])
            if not batch:
                return resealed
            rows = [row for row in batch if stale(row)]
            for row in rows:
                reseal(row)
            queryset.model.objects.bulk_update(rows, fields)
        resealed += len(rows)
        after = batch[-1].pk


def _current(person: Person) -> bool:
    return crypto.is_current(person.id_cipher) and (not person.phone_cipher or crypto.is_current(person.phone_cipher))


def _open(what: str, blob, purpose: str) -> str:
    try:
        return crypto.decrypt(blob, purpose)
    except crypto.TamperedCiphertext as exc:
        raise CommandError(_("%(what)s无法解密：密文被改动，或加密它的旧密钥已从 FIELD_ENCRYPTION_KEY 中删除。") % {
            "what": what}) from exc


def _reseal(person: Person) -> None:
    number = _open(_("人员 %(pk)s 的身份证号码") % {"pk": person.pk}, person.id_cipher, ID_PURPOSE)
    person.id_cipher = crypto.encrypt(number, ID_PURPOSE)
    person.id_digest = crypto.digest(number, ID_PURPOSE)
    if person.phone_cipher:
        phone = _open(_("人员 %(pk)s 的手机号码") % {"pk": person.pk}, person.phone_cipher, PHONE_PURPOSE)
        person.phone_cipher = crypto.encrypt(phone, PHONE_PURPOSE)


def _reseal_unit(unit: Unit) -> None:
    """Units' contact phones (sign-up, 000 §四) are sealed and indexed like a person's phone."""
    phone = _open(_("单位 %(pk)s 的联系电话") % {"pk": unit.pk}, unit.contact_phone_cipher, CONTACT_PHONE_PURPOSE)
    unit.contact_phone_cipher = crypto.encrypt(phone, CONTACT_PHONE_PURPOSE)
    unit.contact_phone_digest = crypto.digest(phone, CONTACT_PHONE_PURPOSE)
