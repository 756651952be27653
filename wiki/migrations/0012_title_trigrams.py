# Page titles by trigrams on SQLite (FTS5's trigram tokenizer), as sources/0009 does for
# sources and venues. Raw SQL on this migration's columns.

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_pages_titles USING fts5(ref UNINDEXED, title, "
    "tokenize='trigram')",
    "INSERT INTO search_pages_titles (ref, title) SELECT id, title FROM wiki_wikipage",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS search_pages_titles"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("wiki", "0011_plain_text")]

    operations = [migrations.RunPython(_run(SQLITE_CREATE), _run(SQLITE_DROP))]
