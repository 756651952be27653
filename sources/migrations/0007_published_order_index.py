"""An index for the source list's "newest published" order on PostgreSQL.

The order puts undated sources last (DESC NULLS LAST), which a plain index cannot serve;
SQLite cannot declare NULLS LAST in an index and its lists are small, so it has none.
"""

from django.db import migrations


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("sources", "0006_list_order_indexes")]

    operations = [
        migrations.RunPython(
            _run(
                "CREATE INDEX IF NOT EXISTS source_published_order ON sources_source "
                "(published_on DESC NULLS LAST, title)"
            ),
            _run("DROP INDEX IF EXISTS source_published_order"),
        )
    ]
