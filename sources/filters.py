"""Filters for the public source and venue lists; every state is a shareable query string."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.filters import ANY, NamedChoiceFilter, ordering
from search.filters import SortableFilterSet, SortFilter
from search.ranking import search_filter

from .models import (
    Credibility,
    FetchOutcome,
    Snapshot,
    SourceType,
    TaggedSource,
    Venue,
    VenueType,
)
from .selectors import review_cutoff

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
CREDIBILITY_CHOICES = [(level.value, f"{level.value} · {level.label}") for level in Credibility]
UNRATED = "none"
# "Credibility is" also offers unrated: the charts of /about/ link to every bar's list.
CREDIBILITY_IS_CHOICES = [*CREDIBILITY_CHOICES, (UNRATED, _("Unrated"))]


class ReviewState:
    """How long ago a rated venue's rating was last reviewed, against the review period
    (`CREDENCE_REVIEW_AFTER_MONTHS`): in its first half, its second half, past it, never."""

    RECENT = "recent"
    AGEING = "ageing"
    DUE = "due"
    MISSING = "missing"
    CHOICES = [
        (RECENT, _("Reviewed in the first half of the review period")),
        (AGEING, _("Reviewed in the second half of the review period")),
        (DUE, _("Review due")),
        (MISSING, _("Rated, never reviewed")),
    ]


def review_state_condition(state: str) -> Q:
    """The venues in a review state (rated venues only)."""
    due, half = review_cutoff(), review_cutoff(half=True)
    rated = Q(credibility__isnull=False)
    return (
        rated
        & {
            ReviewState.RECENT: Q(credibility_reviewed_on__gte=half),
            ReviewState.AGEING: Q(
                credibility_reviewed_on__lt=half, credibility_reviewed_on__gte=due
            ),
            ReviewState.DUE: Q(credibility_reviewed_on__lt=due),
            ReviewState.MISSING: Q(credibility_reviewed_on__isnull=True),
        }[state]
    )


def credibility_is(queryset, field: str, value: str):
    if value == UNRATED:
        return queryset.filter(**{f"{field}__isnull": True})
    return queryset.filter(**{field: value})


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
    venue = NamedChoiceFilter(
        queryset=Venue.objects.order_by("name"),
        noun=_("venue"),
        options_url=reverse_lazy("sources:filter_options", args=["venue"]),
        label=_("Venue"),
    )
    credibility = django_filters.ChoiceFilter(
        field_name="effective_credibility",
        choices=CREDIBILITY_IS_CHOICES,
        method="filter_credibility",
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
    tag = NamedChoiceFilter(
        field_name="tags",
        queryset=Tag.objects.filter(
            Exists(TaggedSource.objects.filter(tag=OuterRef("pk")))
        ).order_by("name"),
        noun=_("tag"),
        options_url=reverse_lazy("sources:filter_options", args=["tag"]),
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
    dead_in = django_filters.DateFilter(
        method="filter_dead_in",
        input_formats=["%Y-%m"],
        label=_("Link found dead in (YYYY-MM)"),
    )
    sort = SortFilter(orderings=SOURCE_ORDERINGS)

    def filter_text(self, queryset, name, value):
        return search_filter(queryset, "sources", value)

    def filter_credibility(self, queryset, name, value):
        return credibility_is(queryset, name, value)

    def filter_dead_in(self, queryset, name, value):
        """Sources a fetch found dead during that month (a dead snapshot is kept from it)."""
        start = datetime.combine(
            value.replace(day=1), time.min, tzinfo=timezone.get_current_timezone()
        )
        end = (start + timedelta(days=32)).replace(day=1)
        dead = Snapshot.objects.filter(
            source=OuterRef("pk"),
            outcome=FetchOutcome.DEAD,
            fetched_at__gte=start,
            fetched_at__lt=end,
        )
        return queryset.filter(Exists(dead))

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
        choices=CREDIBILITY_IS_CHOICES,
        method="filter_credibility",
        empty_label=ANY,
        label=_("Credibility is"),
    )
    min_credibility = django_filters.ChoiceFilter(
        field_name="credibility",
        lookup_expr="gte",
        choices=CREDIBILITY_CHOICES,
        empty_label=ANY,
        label=_("Credibility at least"),
    )
    review = django_filters.ChoiceFilter(
        choices=ReviewState.CHOICES, method="filter_review", empty_label=ANY, label=_("Review")
    )
    sort = SortFilter(orderings=VENUE_ORDERINGS)

    def filter_credibility(self, queryset, name, value):
        return credibility_is(queryset, name, value)

    def filter_review(self, queryset, name, value):
        return queryset.filter(review_state_condition(value))

    def filter_text(self, queryset, name, value):
        return search_filter(queryset, "venues", value)
