"""What sources and venues put in the search index, and how the search page shows them.

`SourcesConfig.ready()` registers them; the search app keeps the index current from then on.
"""

from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from search.index import SearchKind, search_kind_register
from search.selectors import SearchKindPage, search_page_kind_register

from .filters import SourceFilter, VenueFilter
from .models import Source, SourceKeyPoint, Venue
from .selectors import source_list_annotated, venue_list_annotated


def _key_points(pks) -> dict:
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
    rows = Source.objects.filter(pk__in=pks).values_list(
        "pk", "title", "credibility_override", "venue__credibility", "published_on", "created_at"
    )
    return {
        pk: (title, _merit_of_level(override or venue_level), published or created.date())
        for pk, title, override, venue_level, published, created in rows
    }


def _venue_ranking(pks) -> dict:
    rows = Venue.objects.filter(pk__in=pks).values_list("pk", "name", "credibility", "updated_at")
    return {pk: (name, _merit_of_level(level), updated.date()) for pk, name, level, updated in rows}


def _venue_sources_merit(venue) -> None:
    """A venue's rating is its sources' merit where they have none of their own."""
    Source.objects.filter(venue_id=venue.pk, credibility_override__isnull=True).exclude(
        search_merit=_merit_of_level(venue.credibility)
    ).update(search_merit=_merit_of_level(venue.credibility))


def _on_venue_save(sender, instance, raw=False, **kwargs):
    if not raw:
        _venue_sources_merit(instance)


def search_kinds_register() -> None:
    """Index sources (with their key points) and venues, and show both on the search page."""
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
        parts={SourceKeyPoint: "source_id"},
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
    post_save.connect(_on_venue_save, sender=Venue, dispatch_uid="search-venue-merit")
    search_page_kind_register(
        "venues",
        SearchKindPage(
            _("Venues"), _("Venue"), VenueFilter, venue_list_annotated, Venue.objects.all, 1
        ),
    )
    search_page_kind_register(
        "sources",
        SearchKindPage(
            _("Sources"),
            _("Source"),
            SourceFilter,
            source_list_annotated,
            lambda: Source.objects.select_related("venue"),
            2,
        ),
    )
