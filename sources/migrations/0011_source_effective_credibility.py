"""Each source stores its effective credibility (the override, else its venue's rating),
indexed for the source list's credibility filter and sorts.

The most credible first puts unrated sources last (DESC NULLS LAST): an index for that is
PostgreSQL-only, as SQLite cannot declare NULLS LAST in an index (as in 0007).
"""

import django.core.validators
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    """Store every source's effective credibility, in one statement."""
    Source = apps.get_model("sources", "Source")
    Venue = apps.get_model("sources", "Venue")
    venue_level = Venue.objects.filter(pk=OuterRef("venue_id")).values("credibility")[:1]
    Source.objects.update(
        effective_credibility=Coalesce(F("credibility_override"), Subquery(venue_level))
    )


def _postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0010_search_ranking'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='source',
            name='effective_credibility',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(1, 'Low'), (2, 'Mixed'), (3, 'Good'), (4, 'High'), (5, 'Gold standard')], editable=False, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='effective credibility'),
        ),
        migrations.AddIndex(
            model_name='source',
            index=models.Index(fields=['effective_credibility', 'title', 'id'], name='source_credibility_order'),
        ),
        migrations.AddConstraint(
            model_name='source',
            constraint=models.CheckConstraint(condition=models.Q(('effective_credibility__isnull', True), models.Q(('effective_credibility__gte', 1), ('effective_credibility__lte', 5)), _connector='OR'), name='source_effective_credibility_1_to_5'),
        ),
        migrations.RunPython(
            _postgresql(
                "CREATE INDEX IF NOT EXISTS source_credible_first_order ON sources_source "
                "(effective_credibility DESC NULLS LAST, title)"
            ),
            _postgresql("DROP INDEX IF EXISTS source_credible_first_order"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
