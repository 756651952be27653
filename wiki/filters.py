"""Filters for the public wiki page list (and the API's, which uses the same)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.filters import ANY, ordering
from search.filters import SortableFilterSet, SortFilter
from search.ranking import search_filter

from .evidence import STRONG_SHARE_CHOICES
from .models import PageStatus, PageType, TaggedPage
from .quality import QualityBand

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
        choices=QualityBand.choices, method="filter_band", empty_label=ANY, label=_("Quality band")
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags",
        queryset=Tag.objects.filter(Exists(TaggedPage.objects.filter(tag=OuterRef("pk")))).order_by(
            "name"
        ),
        to_field_name="slug",
        empty_label=ANY,
        label=_("Tag"),
    )
    evidence = django_filters.ChoiceFilter(
        field_name="strong_share",
        lookup_expr="gte",
        choices=STRONG_SHARE_CHOICES,
        empty_label=ANY,
        label=_("Evidence"),
    )
    sort = SortFilter(orderings=PAGE_ORDERINGS)

    def filter_text(self, queryset, name, value):
        return search_filter(queryset, "pages", value)

    def filter_band(self, queryset, name, value):
        return queryset.in_quality_band(QualityBand(value))
