# Titles by trigrams on SQLite (FTS5's trigram tokenizer), so that a misspelt search finds
# similar titles there as pg_trgm does on PostgreSQL. Raw SQL on this migration's columns.

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_sources_titles USING fts5(ref UNINDEXED, title, "
    "tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_venues_titles USING fts5(ref UNINDEXED, title, "
    "tokenize='trigram')",
    "INSERT INTO search_sources_titles (ref, title) SELECT id, title FROM sources_source",
    "INSERT INTO search_venues_titles (ref, title) SELECT id, name FROM sources_venue",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS search_sources_titles",
    "DROP TABLE IF EXISTS search_venues_titles",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("sources", "0008_plain_text")]

    operations = [migrations.RunPython(_run(SQLITE_CREATE), _run(SQLITE_DROP))]
