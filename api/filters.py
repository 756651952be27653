"""Filters for the API's own lists; venues, sources and pages use the public lists' FilterSets."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ratings.models import RatingDecision
from wiki.models import Citation


class CitationFilter(django_filters.FilterSet):
    page = django_filters.CharFilter(field_name="page__slug", label=_("Citing page (slug)"))
    source = django_filters.CharFilter(field_name="source_id", label=_("Cited source (id)"))

    class Meta:
        model = Citation
        fields = ["page", "source"]


class RatingDecisionFilter(django_filters.FilterSet):
    venue = django_filters.CharFilter(field_name="venue__slug", label=_("Venue (slug)"))
    source = django_filters.CharFilter(field_name="source_id", label=_("Source (id)"))
    page = django_filters.CharFilter(field_name="page__slug", label=_("Page (slug)"))
    kind = django_filters.ChoiceFilter(
        choices=[("venue", _("Venue")), ("source", _("Source")), ("page", _("Page"))],
        method="filter_kind",
        label=_("Kind of record rated"),
    )
    since = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Decided on or after")
    )

    class Meta:
        model = RatingDecision
        fields = ["venue", "source", "page", "kind", "since"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})
