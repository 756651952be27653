"""Make the plain-text fields of venues and sources plain text (see sources/text.py).

Only rows whose text changes are written, with no history rows (the history keeps what
was stored then). Their search-index entries are refreshed with this migration's columns
in raw SQL, as 0005_search filled them, so that later model changes cannot break it.
"""

from django.db import migrations, models

from core.text import plain_text

BATCH = 500

SQLITE_REFRESH = {
    "sources_source": [
        "DELETE FROM search_sources WHERE ref IN ({ids})",
        "INSERT INTO search_sources (ref, a, b, c, d) SELECT s.id, s.title, s.summary, "
        "s.abstract, s.review || ' ' || replace(replace(replace(replace(replace(s.url, '.', ' '), "
        "'/', ' '), ':', ' '), '-', ' '), '_', ' ') || ' ' || coalesce((SELECT "
        "group_concat(k.text, ' ') FROM sources_sourcekeypoint k WHERE k.source_id = s.id), '') "
        "FROM sources_source s WHERE s.id IN ({ids})",
    ],
    "sources_venue": [
        "DELETE FROM search_venues WHERE CAST(ref AS TEXT) IN ({ids})",
        "INSERT INTO search_venues (ref, a, b, c, d) SELECT CAST(id AS TEXT), name, "
        "description, '', '' FROM sources_venue WHERE id IN ({ids})",
    ],
}
PG_REFRESH = {
    "sources_source": [
        "UPDATE sources_source s SET search_vector = "
        "setweight(to_tsvector('english', s.title), 'A') || "
        "setweight(to_tsvector('english', s.summary), 'B') || "
        "setweight(to_tsvector('english', s.abstract), 'C') || "
        "setweight(to_tsvector('english', s.review || ' ' || "
        "regexp_replace(s.url, '[\\W_]+', ' ', 'g') || ' ' || coalesce((SELECT "
        "string_agg(k.text, ' ') FROM sources_sourcekeypoint k WHERE k.source_id = s.id), '')), "
        "'D') WHERE s.id IN ({ids})",
    ],
    "sources_venue": [
        "UPDATE sources_venue SET search_vector = setweight(to_tsvector('english', name), 'A') || "
        "setweight(to_tsvector('english', description), 'B') WHERE id IN ({ids})",
    ],
}


def rows_make_plain(model, names, key="pk"):
    """Rewrite the rows whose fields `names` are not plain text yet; return their `key`s."""
    multiline = [isinstance(model._meta.get_field(name), models.TextField) for name in names]
    changed, keys = [], []
    rows = model.objects.order_by().values_list(key, "pk", *names)
    for row_key, pk, *values in rows.iterator(chunk_size=2000):
        plain = [
            plain_text(value, multiline=lines)
            for value, lines in zip(values, multiline, strict=True)
        ]
        if plain != values:
            changed.append(model(pk=pk, **dict(zip(names, plain, strict=True))))
            keys.append(row_key)
    model.objects.bulk_update(changed, names, batch_size=BATCH)
    return keys


def search_refresh(schema_editor, table, ids):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_REFRESH, "postgresql": PG_REFRESH}.get(vendor, {})
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), BATCH):
        # SQLite: the index's refs are text (as search.index writes them), ids compare so.
        batch = [str(pk) if vendor == "sqlite" else pk for pk in ids[start : start + BATCH]]
        placeholders = ", ".join(["%s"] * len(batch))
        with schema_editor.connection.cursor() as cursor:
            for statement in statements.get(table, []):
                cursor.execute(statement.format(ids=placeholders), batch)


def make_plain(apps, schema_editor):
    Venue = apps.get_model("sources", "Venue")
    Source = apps.get_model("sources", "Source")
    SourceAuthor = apps.get_model("sources", "SourceAuthor")
    SourceKeyPoint = apps.get_model("sources", "SourceKeyPoint")

    venues = rows_make_plain(Venue, ["name", "description", "credibility_rationale"])
    sources = rows_make_plain(Source, ["title", "abstract", "summary", "review"])
    rows_make_plain(SourceAuthor, ["name"])
    # Key points are indexed with their source.
    sources += rows_make_plain(SourceKeyPoint, ["text"], key="source_id")
    search_refresh(schema_editor, "sources_venue", venues)
    search_refresh(schema_editor, "sources_source", sources)


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0007_published_order_index"),
    ]

    operations = [
        migrations.RunPython(make_plain, migrations.RunPython.noop),
    ]
