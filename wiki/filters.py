"""Filters for the public wiki page list (and the API's, which uses the same)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.filters import ANY, NamedChoiceFilter, ordering
from search.filters import SortableFilterSet, SortFilter
from search.ranking import search_filter

from .evidence import STRONG_SHARE_CHOICES
from .models import PageStatus, PageType, TaggedPage
from .quality import QualityBand

NO_SCORE = "none"
# How many sources a page cites, in the ranges the charts of /about/ count (the list's
# rows carry `citation_count`).
CITATION_RANGES = [
    ("0", _("None"), (0, 0)),
    ("1-5", _("1 to 5"), (1, 5)),
    ("6-20", _("6 to 20"), (6, 20)),
    ("21-50", _("21 to 50"), (21, 50)),
    ("51+", _("More than 50"), (51, None)),
]


def citation_range_condition(key: str) -> Q:
    low, high = next(bounds for k, _label, bounds in CITATION_RANGES if k == key)
    condition = Q(citation_count__gte=low)
    return condition if high is None else condition & Q(citation_count__lte=high)


PAGE_ORDERINGS = {
    "title": (_("Title"), ordering("title")),
    "-quality": (_("Highest quality"), ordering("-quality", "title")),
    "-importance": (_("Most important"), ordering("-reader_importance", "title")),
    "-edited": (_("Recently edited"), ordering("-last_edited", "title")),
    "-evidence": (_("Strongest evidence"), ordering("-strong_share", "title")),
}


class WikiPageFilter(SortableFilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    type = django_filters.ChoiceFilter(choices=PageType.choices, empty_label=ANY, label=_("Type"))
    status = django_filters.ChoiceFilter(
        choices=PageStatus.choices, empty_label=ANY, label=_("Status")
    )
    band = django_filters.ChoiceFilter(
        choices=[*QualityBand.choices, (NO_SCORE, _("No score"))],
        method="filter_band",
        empty_label=ANY,
        label=_("Quality band"),
    )
    tag = NamedChoiceFilter(
        field_name="tags",
        queryset=Tag.objects.filter(Exists(TaggedPage.objects.filter(tag=OuterRef("pk")))).order_by(
            "name"
        ),
        noun=_("tag"),
        options_url=reverse_lazy("wiki:filter_options", args=["tag"]),
        label=_("Tag"),
    )
    evidence = django_filters.ChoiceFilter(
        field_name="strong_share",
        lookup_expr="gte",
        choices=STRONG_SHARE_CHOICES,
        empty_label=ANY,
        label=_("Evidence"),
    )
    citations = django_filters.ChoiceFilter(
        choices=[(key, label) for key, label, _bounds in CITATION_RANGES],
        method="filter_citations",
        empty_label=ANY,
        label=_("Citations"),
    )
    sort = SortFilter(orderings=PAGE_ORDERINGS)

    def filter_citations(self, queryset, name, value):
        return queryset.filter(citation_range_condition(value))

    def filter_text(self, queryset, name, value):
        return search_filter(queryset, "pages", value)

    def filter_band(self, queryset, name, value):
        if value == NO_SCORE:
            return queryset.filter(quality__isnull=True)
        return queryset.in_quality_band(QualityBand(value))
