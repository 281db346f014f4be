"""Give applications filed before 受理编号 existed their number, in filing order per authority and year."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from portal.kit.numbering import next_serial
from portal.kit.pdf import document_number


def number_applications(apps, schema_editor):
    Application = apps.get_model("units", "Application")
    word = settings.REGISTRATION_ACCEPTANCE_WORD
    rows = Application.objects.filter(acceptance_number="").select_related("authority").order_by("submitted_at", "pk")
    for application in rows.iterator():
        year = timezone.localtime(application.submitted_at).year
        authority = application.authority
        serial = next_serial(f"{authority.code}:{word}", year)
        application.acceptance_number = document_number(authority.name[:2], word, year, serial)
        application.save(update_fields=["acceptance_number"])


class Migration(migrations.Migration):

    dependencies = [
        ("kit", "0002_documentcounter"),
        ("units", "0009_signup_contact_acceptance_withdrawal"),
    ]

    operations = [migrations.RunPython(number_applications, migrations.RunPython.noop)]
