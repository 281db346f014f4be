"""Re-seal personal numbers under the newest field key (SECURITY.md §Personal information; PIPL Art. 51).

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

from personnel.models import ID_PURPOSE, PHONE_PURPOSE, Person
from portal.kit import crypto
from units.models import CONTACT_PHONE_PURPOSE, Unit


class Command(BaseCommand):
    help = "用 FIELD_ENCRYPTION_KEY 中最新的密钥重新加密人员身份证号码、手机号码和单位联系电话；--generate 生成新密钥。"

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help="输出一个新密钥后退出（不改动数据）。")
        parser.add_argument("--batch-size", type=int, default=500, help="每个事务处理的人员数（默认 500）。")

    def handle(self, *args, generate=False, batch_size=500, **options):
        if generate:
            self.stdout.write(crypto.generate_key())
            return
        if batch_size < 1:
            raise CommandError("--batch-size 应为正整数。")
        crypto.keys()  # a missing or malformed key stops here, before any row is touched
        resealed = after = 0
        while True:
            with transaction.atomic():
                batch = list(Person.objects.select_for_update().filter(pk__gt=after).order_by("pk")
                             .only("pk", "id_cipher", "phone_cipher", "id_digest")[:batch_size])
                if not batch:
                    break
                stale = [person for person in batch if not _current(person)]
                for person in stale:
                    _reseal(person)
                Person.objects.bulk_update(stale, ["id_cipher", "phone_cipher", "id_digest"])
            resealed += len(stale)
            after = batch[-1].pk
        self.stdout.write(self.style.SUCCESS(f"已用最新密钥重新加密 {resealed} 名人员的身份证号码和手机号码。"))
        units = _reseal_unit_phones(batch_size)
        self.stdout.write(self.style.SUCCESS(f"已用最新密钥重新加密 {units} 个单位的联系电话。"))
        if len(crypto.keys()) > 1:
            self.stdout.write("确认无误后，可从 FIELD_ENCRYPTION_KEY 中删除旧密钥。")


def _current(person: Person) -> bool:
    return crypto.is_current(person.id_cipher) and (not person.phone_cipher or crypto.is_current(person.phone_cipher))


def _open(person: Person, blob, purpose: str) -> str:
    try:
        return crypto.decrypt(blob, purpose)
    except crypto.TamperedCiphertext as exc:
        raise CommandError(f"人员 {person.pk} 的{'身份证号码' if purpose == ID_PURPOSE else '手机号码'}无法解密："
                           "密文被改动，或加密它的旧密钥已从 FIELD_ENCRYPTION_KEY 中删除。") from exc


def _reseal(person: Person) -> None:
    number = _open(person, person.id_cipher, ID_PURPOSE)
    person.id_cipher = crypto.encrypt(number, ID_PURPOSE)
    person.id_digest = crypto.digest(number, ID_PURPOSE)
    if person.phone_cipher:
        person.phone_cipher = crypto.encrypt(_open(person, person.phone_cipher, PHONE_PURPOSE), PHONE_PURPOSE)


def _reseal_unit_phones(batch_size: int) -> int:
    """Units' contact phones (sign-up, 000 §四) are sealed and indexed like a person's phone."""
    resealed = after = 0
    while True:
        with transaction.atomic():
            batch = list(Unit.objects.select_for_update().filter(pk__gt=after).exclude(contact_phone_cipher=b"")
                         .order_by("pk").only("pk", "contact_phone_cipher", "contact_phone_digest")[:batch_size])
            if not batch:
                return resealed
            stale = [unit for unit in batch if not crypto.is_current(unit.contact_phone_cipher)]
            for unit in stale:
                try:
                    phone = crypto.decrypt(unit.contact_phone_cipher, CONTACT_PHONE_PURPOSE)
                except crypto.TamperedCiphertext as exc:
                    raise CommandError(f"单位 {unit.pk} 的联系电话无法解密：密文被改动，"
                                       "或加密它的旧密钥已从 FIELD_ENCRYPTION_KEY 中删除。") from exc
                unit.contact_phone_cipher = crypto.encrypt(phone, CONTACT_PHONE_PURPOSE)
                unit.contact_phone_digest = crypto.digest(phone, CONTACT_PHONE_PURPOSE)
            Unit.objects.bulk_update(stale, ["contact_phone_cipher", "contact_phone_digest"])
        resealed += len(stale)
        after = batch[-1].pk
