"""Let both staff groups propose ratings and follow proposals and decisions.

Deciding is not a model permission: it takes a rating permission (rate_venue,
rate_source, rate_wikipage), which only Rating moderators hold.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["add_ratingproposal", "view_ratingproposal", "view_ratingdecision"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="wiki", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=["Editors", "Rating moderators"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="wiki", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=["Editors", "Rating moderators"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("wiki", "0005_rating_proposals_and_decisions")]

    operations = [migrations.RunPython(grant, revoke)]
