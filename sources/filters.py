"""Filters for the public source and venue lists; every state is a shareable query string."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from .models import Credibility, FetchOutcome, SourceType, TaggedSource, Venue, VenueType
from .search_ranking import by_relevance, search_filter

ANY = _("Any")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
CREDIBILITY_CHOICES = [(level.value, f"{level.value} · {level.label}") for level in Credibility]


# Columns that are never empty: ordered plainly, so that their indexes serve the order.
NOT_NULL = {"id", "title", "name", "created_at", "updated_at", "slug"}


def ordering(*expressions):
    """Return order_by arguments with empty values last, whichever the direction."""
    result = []
    for expression in expressions:
        descending = expression.startswith("-")
        name = expression.lstrip("-")
        field = F(name)
        if name in NOT_NULL:
            result.append(field.desc() if descending else field.asc())
        else:
            result.append(field.desc(nulls_last=True) if descending else field.asc(nulls_last=True))
    return result


RELEVANCE = "relevance"


class SortFilter(django_filters.ChoiceFilter):
    """A `sort` parameter naming one of a fixed set of orderings, or relevance.

    With a query, "Relevance" is the first choice and the default (best matches first);
    without one it is not offered and the first ordering is the default.
    """

    def __init__(self, *args, orderings: dict[str, tuple[str, list]], **kwargs):
        self.orderings = orderings
        choices = [(RELEVANCE, _("Relevance"))]
        choices += [(key, label) for key, (label, _fields) in orderings.items()]
        super().__init__(*args, choices=choices, label=_("Sort by"), empty_label=None, **kwargs)

    def without_relevance(self) -> None:
        """Offer only the fixed orderings: there is no query to be relevant to."""
        self.extra["choices"] = [c for c in self.extra["choices"] if c[0] != RELEVANCE]

    def filter(self, qs, value):
        if value in (None, "", RELEVANCE) and "search_rank" in qs.query.annotations:
            return by_relevance(qs)  # a search without another chosen order: best first
        default = next(iter(self.orderings))
        _label, fields = self.orderings.get(value or default, self.orderings[default])
        return qs.order_by(*fields)


class SortableFilterSet(django_filters.FilterSet):
    """A list's filters whose sort offers relevance exactly when there is a query.

    The query is the `q` field, or (on the search page, whose query travels apart)
    `searching=True`.
    """

    def __init__(self, data=None, *args, searching: bool | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        if searching is None:
            searching = bool((data or {}).get("q", "").strip())
        if not searching:
            self.filters["sort"].without_relevance()


SOURCE_ORDERINGS = {
    "title": (_("Title"), ordering("title", "id")),
    "-published": (_("Newest published"), ordering("-published_on", "title")),
    "published": (_("Oldest published"), ordering("published_on", "title")),
    "-credibility": (_("Most credible"), ordering("-effective_credibility", "title")),
    "credibility": (_("Least credible"), ordering("effective_credibility", "title")),
    "-cited": (_("Most cited"), ordering("-cited_by_count", "title")),
    "-added": (_("Recently added"), ordering("-created_at", "id")),
}


class SourceFilter(SortableFilterSet):
    """Filters over `source_list_annotated()`: they rely on its annotations."""

    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    type = django_filters.ChoiceFilter(choices=SourceType.choices, empty_label=ANY, label=_("Type"))
    venue = django_filters.ModelChoiceFilter(
        queryset=Venue.objects.order_by("name"),
        to_field_name="slug",
        empty_label=ANY,
        label=_("Venue"),
    )
    credibility = django_filters.ChoiceFilter(
        field_name="effective_credibility",
        choices=CREDIBILITY_CHOICES,
        empty_label=ANY,
        label=_("Credibility is"),
    )
    min_credibility = django_filters.ChoiceFilter(
        field_name="effective_credibility",
        lookup_expr="gte",
        choices=CREDIBILITY_CHOICES,
        empty_label=ANY,
        label=_("Credibility at least"),
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags",
        queryset=Tag.objects.filter(
            Exists(TaggedSource.objects.filter(tag=OuterRef("pk")))
        ).order_by("name"),
        to_field_name="slug",
        empty_label=ANY,
        label=_("Tag"),
    )
    has_summary = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_has_summary", empty_label=ANY, label=_("Has a summary")
    )
    cited = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_cited", empty_label=ANY, label=_("Cited by a page")
    )
    link = django_filters.ChoiceFilter(
        field_name="fetch_outcome",
        choices=FetchOutcome.choices,
        empty_label=ANY,
        label=_("Last fetch"),
    )
    sort = SortFilter(orderings=SOURCE_ORDERINGS)

    def filter_text(self, queryset, name, value):
        return search_filter(queryset, "sources", value)

    def filter_has_summary(self, queryset, name, value):
        has = ~Q(summary="")
        return queryset.filter(has) if value == "yes" else queryset.exclude(has)

    def filter_cited(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(cited_by_count__gt=0)
        return queryset.filter(cited_by_count=0)


VENUE_ORDERINGS = {
    "name": (_("Name"), ordering("name")),
    "-credibility": (_("Most credible"), ordering("-credibility", "name")),
    "-sources": (_("Most sources"), ordering("-source_count", "name")),
}


class VenueFilter(SortableFilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    type = django_filters.ChoiceFilter(choices=VenueType.choices, empty_label=ANY, label=_("Type"))
    credibility = django_filters.ChoiceFilter(
        choices=CREDIBILITY_CHOICES, empty_label=ANY, label=_("Credibility is")
    )
    min_credibility = django_filters.ChoiceFilter(
        field_name="credibility",
        lookup_expr="gte",
        choices=CREDIBILITY_CHOICES,
        empty_label=ANY,
        label=_("Credibility at least"),
    )
    sort = SortFilter(orderings=VENUE_ORDERINGS)

    def filter_text(self, queryset, name, value):
        return search_filter(queryset, "venues", value)
