"""The sort every searchable list offers: fixed orderings, and relevance when there is a query."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from .ranking import by_relevance

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
        # A form field built before (and copied with the FilterSet's filters, as anything
        # that reads a class's base filters builds one: the API schema does) would still
        # offer relevance: build it again from these choices.
        self.__dict__.pop("_field", None)

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
