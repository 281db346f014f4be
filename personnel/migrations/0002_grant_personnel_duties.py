"""Existing accounts receive the duties this issue added to the matrix (jurisdictions/duties.py):
ASSESS_PERSONNEL for cities and the province (seed 002 附件 8) and REVEAL_PERSONAL_INFO for leaders
and enterprises. New accounts get them from the matrix when created."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NEW = {"assess_personnel", "reveal_personal_info"}


def grant(apps, schema_editor):
    from jurisdictions.duties import ENTERPRISE_DUTIES, duties_for

    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("jurisdictions", "User")
    NodeGrant = apps.get_model("jurisdictions", "JurisdictionUserObjectPermission")
    UnitGrant = apps.get_model("units", "UnitUserObjectPermission")
    node_perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="jurisdictions",
                                                                   codename__in=NEW)}
    unit_perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="units", codename__in=NEW)}
    for user in User.objects.exclude(role="").exclude(role="enterprise").select_related("jurisdiction"):
        for duty in NEW & {str(d) for d in duties_for(user.jurisdiction.tier, user.role)}:
            NodeGrant.objects.get_or_create(user=user, permission=node_perms[duty],
                                            content_object_id=user.jurisdiction_id)
    enterprise_new = NEW & {str(d) for d in ENTERPRISE_DUTIES}
    for unit_id, user_id in UnitGrant.objects.filter(permission__codename="view_records").values_list(
            "content_object_id", "user_id"):
        for duty in enterprise_new:
            UnitGrant.objects.get_or_create(user_id=user_id, permission=unit_perms[duty], content_object_id=unit_id)


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0001_initial"),
        ("jurisdictions", "0003_personnel_duties"),
        ("units", "0007_reveal_personal_info_duty"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
