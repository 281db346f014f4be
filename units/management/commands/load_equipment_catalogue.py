from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from units.services import CATALOGUE, load_equipment_catalogue


class Command(BaseCommand):
    help = "载入《特种设备目录》（2014 年修订）品种代码；可重复执行。"

    def handle(self, *args, **options):
        count = load_equipment_catalogue(CATALOGUE)
        self.stdout.write(_("特种设备目录：%(count)d 个品种代码") % {"count": count})
