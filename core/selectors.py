"""Query helpers every app's selectors use."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def ordering_of(queryset: QuerySet) -> tuple[str, ...]:
    """Return a queryset's ordering, explicit or from Meta.

    Aggregating annotations drop the Meta ordering (Django groups without it), so selectors
    that count restore it: lists and the admin's autocomplete need a stable order.
    """
    return tuple(queryset.query.order_by) or tuple(queryset.model._meta.ordering)


def count_per_row(
    model: type[Model] | str, field: str, counted: str = "pk", distinct: bool = False
):
    """A count per outer row as a correlated subquery (0 when none); `model` may be named
    "app_label.Model", as a lower app names the rows an app above it keeps about its own.

    Unlike Count() over a join, it needs no GROUP BY over the whole list: a page of 25 rows
    counts 25 times through an index, and COUNT(*) for the paginator drops it entirely.
    """
    if isinstance(model, str):
        model = apps.get_model(model)
    rows = (
        model._default_manager.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count(counted, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))
