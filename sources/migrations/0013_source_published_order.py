"""An index for the source list sorted by publication date, oldest first (undated sources
last: ascending order puts nulls last on PostgreSQL). The newest first has had its
PostgreSQL index since 0007 (DESC NULLS LAST, which SQLite cannot declare)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0012_source_identifiers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["published_on", "title"], name="source_oldest_published_order"),
        ),
    ]
