"""Create the Editors and Rating moderators groups with their permissions.

Permissions are normally created after all migrations run, so they are created here first.
Editors may add and change everything editors curate, and delete the rows that inlines
manage (authors, key points, domains, citations); they may not change ratings. Rating
moderators have all of that plus the three rating permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "sources": [
        "add_venue", "change_venue", "view_venue",
        "add_venuedomain", "change_venuedomain", "delete_venuedomain", "view_venuedomain",
        "add_source", "change_source", "view_source",
        "add_sourceauthor", "change_sourceauthor", "delete_sourceauthor", "view_sourceauthor",
        "add_sourcekeypoint", "change_sourcekeypoint", "delete_sourcekeypoint",
        "view_sourcekeypoint",
    ],
    "wiki": [
        "add_wikipage", "change_wikipage", "view_wikipage",
        "add_citation", "change_citation", "delete_citation", "view_citation",
    ],
    "taggit": ["add_tag", "change_tag", "view_tag"],
}
RATING_PERMISSIONS = {
    "sources": ["rate_venue", "rate_source"],
    "wiki": ["rate_wikipage"],
}


def _permissions(apps, by_app):
    Permission = apps.get_model("auth", "Permission")
    wanted = [(app, codename) for app, codenames in by_app.items() for codename in codenames]
    found = []
    for app_label, codename in wanted:
        found.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return found


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*_permissions(apps, EDITOR_PERMISSIONS))
    moderators, _created = Group.objects.get_or_create(name="Rating moderators")
    moderators.permissions.add(
        *_permissions(apps, EDITOR_PERMISSIONS), *_permissions(apps, RATING_PERMISSIONS)
    )


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Editors", "Rating moderators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("wiki", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
