"""Make the plain-text fields of wiki pages and citations plain text (see sources/text.py).

Only rows whose text changes are written, with no history rows (the history keeps what
was stored then). Their search-index entries are refreshed with this migration's columns
in raw SQL, as 0009_search filled them, so that later model changes cannot break it.
"""

from django.db import migrations, models

from core.text import plain_text

BATCH = 500

SQLITE_REFRESH = [
    "DELETE FROM search_pages WHERE CAST(ref AS TEXT) IN ({ids})",
    "INSERT INTO search_pages (ref, a, b, c, d) SELECT CAST(id AS TEXT), title, "
    "description || ' ' || summary, body, '' FROM wiki_wikipage WHERE id IN ({ids})",
]
PG_REFRESH = [
    "UPDATE wiki_wikipage SET search_vector = setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', description || ' ' || summary), 'B') || "
    "setweight(to_tsvector('english', body), 'C') WHERE id IN ({ids})",
]


def rows_make_plain(model, names):
    """Rewrite the rows whose fields `names` are not plain text yet; return their keys."""
    multiline = [isinstance(model._meta.get_field(name), models.TextField) for name in names]
    changed = []
    for pk, *values in model.objects.order_by().values_list("pk", *names).iterator(2000):
        plain = [
            plain_text(value, multiline=lines)
            for value, lines in zip(values, multiline, strict=True)
        ]
        if plain != values:
            changed.append(model(pk=pk, **dict(zip(names, plain, strict=True))))
    model.objects.bulk_update(changed, names, batch_size=BATCH)
    return [row.pk for row in changed]


def make_plain(apps, schema_editor):
    pages = rows_make_plain(apps.get_model("wiki", "WikiPage"), ["title", "description", "summary"])
    rows_make_plain(apps.get_model("wiki", "Citation"), ["note"])
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_REFRESH, "postgresql": PG_REFRESH}.get(vendor, [])
    for start in range(0, len(pages), BATCH):
        # SQLite: the index's refs are text (as search.index writes them), ids compare so.
        batch = [str(pk) if vendor == "sqlite" else pk for pk in pages[start : start + BATCH]]
        placeholders = ", ".join(["%s"] * len(batch))
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement.format(ids=placeholders), batch)


class Migration(migrations.Migration):
    dependencies = [
        ("wiki", "0010_wikipage_missing_reference_count"),
    ]

    operations = [
        migrations.RunPython(make_plain, migrations.RunPython.noop),
    ]
