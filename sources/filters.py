"""Filters for the public source and venue lists; every state is a shareable query string."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.filters import ANY, ordering
from search.filters import SortableFilterSet, SortFilter
from search.ranking import search_filter

from .models import Credibility, FetchOutcome, SourceType, TaggedSource, Venue, VenueType

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
CREDIBILITY_CHOICES = [(level.value, f"{level.value} · {level.label}") for level in Credibility]


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
