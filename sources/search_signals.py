"""What each kind puts in the search index, and the signals that keep the index current.

Saves and deletes of sources, venues, pages and key points refresh their rows here;
services that insert key points in bulk (no signals) call `search_index_refresh`.
"""

from django.db.models.signals import post_delete, post_save

from .search import SearchKind, search_index_refresh, search_index_remove, search_kind_register


def _key_points(pks) -> dict:
    from .models import SourceKeyPoint

    texts: dict = {}
    rows = SourceKeyPoint.objects.filter(source_id__in=pks).order_by("source_id", "position")
    for source_id, text in rows.values_list("source_id", "text"):
        texts[source_id] = (texts.get(source_id, "") + " " + text).strip()
    return texts


# A credibility level (1-5) on the 0-100 scale of merit that pages' quality uses.
MERIT_PER_LEVEL = 20


def _merit_of_level(level: int | None) -> int:
    return (level or 0) * MERIT_PER_LEVEL


def _source_ranking(pks) -> dict:
    from .models import Source

    rows = Source.objects.filter(pk__in=pks).values_list(
        "pk", "title", "credibility_override", "venue__credibility", "published_on", "created_at"
    )
    return {
        pk: (title, _merit_of_level(override or venue_level), published or created.date())
        for pk, title, override, venue_level, published, created in rows
    }


def _venue_ranking(pks) -> dict:
    from .models import Venue

    rows = Venue.objects.filter(pk__in=pks).values_list("pk", "name", "credibility", "updated_at")
    return {pk: (name, _merit_of_level(level), updated.date()) for pk, name, level, updated in rows}


def _page_ranking(pks) -> dict:
    from wiki.models import WikiPage

    rows = WikiPage.objects.filter(pk__in=pks).values_list(
        "pk", "title", "quality", "last_edited", "updated_at"
    )
    return {
        pk: (title, quality or 0, edited or updated.date())
        for pk, title, quality, edited, updated in rows
    }


def _venue_sources_merit(venue) -> None:
    """A venue's rating is its sources' merit where they have none of their own."""
    from .models import Source

    Source.objects.filter(venue_id=venue.pk, credibility_override__isnull=True).exclude(
        search_merit=_merit_of_level(venue.credibility)
    ).update(search_merit=_merit_of_level(venue.credibility))


def _on_venue_save(sender, instance, raw=False, **kwargs):
    if not raw:
        _venue_sources_merit(instance)


def _on_save(kind_name):
    def refresh(sender, instance, raw=False, **kwargs):
        if not raw:
            search_index_refresh(kind_name, [instance.pk])

    return refresh


def _on_delete(kind_name):
    def remove(sender, instance, **kwargs):
        search_index_remove(kind_name, [instance.pk])

    return remove


def _on_key_point(sender, instance, raw=False, **kwargs):
    if not raw:
        search_index_refresh("sources", [instance.source_id])


def register_sources() -> None:
    from .models import Source, SourceKeyPoint, Venue

    search_kind_register(
        SearchKind(
            name="sources",
            model=Source,
            weighted={
                "A": ["title"],
                "B": ["summary"],
                "C": ["abstract"],
                "D": ["review", "url"],
            },
            title_field="title",
            snippet_fields=("summary", "abstract", "review", "title"),
            extra_sql=(
                "SELECT string_agg(k.text, ' ') FROM sources_sourcekeypoint k "
                "WHERE k.source_id = t.id"
            ),
            described="ABC",
            ranking_values=_source_ranking,
        ),
        extra_text=_key_points,
    )
    search_kind_register(
        SearchKind(
            name="venues",
            model=Venue,
            weighted={"A": ["name"], "B": ["description"]},
            title_field="name",
            snippet_fields=("description", "name"),
            ranking_values=_venue_ranking,
        )
    )
    for model, kind in ((Source, "sources"), (Venue, "venues")):
        post_save.connect(_on_save(kind), sender=model, weak=False, dispatch_uid=f"search-{kind}")
        post_delete.connect(
            _on_delete(kind), sender=model, weak=False, dispatch_uid=f"search-del-{kind}"
        )
    post_save.connect(_on_venue_save, sender=Venue, dispatch_uid="search-venue-merit")
    post_save.connect(_on_key_point, sender=SourceKeyPoint, dispatch_uid="search-keypoint")
    post_delete.connect(_on_key_point, sender=SourceKeyPoint, dispatch_uid="search-keypoint-del")


def register_pages() -> None:
    from wiki.models import WikiPage

    search_kind_register(
        SearchKind(
            name="pages",
            model=WikiPage,
            weighted={"A": ["title"], "B": ["description", "summary"], "C": ["body"]},
            title_field="title",
            snippet_fields=("description", "summary", "body", "title"),
            ranking_values=_page_ranking,
        )
    )
    post_save.connect(_on_save("pages"), sender=WikiPage, weak=False, dispatch_uid="search-pages")
    post_delete.connect(
        _on_delete("pages"), sender=WikiPage, weak=False, dispatch_uid="search-del-pages"
    )
