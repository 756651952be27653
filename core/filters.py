"""What every list's filters share: the "Any" choice, an ordering with empty values last, and
a filter by one record chosen from a list or typed by name."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, F, Q, Value, When
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .widgets import NamedChoiceWidget

ANY = _("Any")

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


class NamedChoiceField(forms.Field):
    """A record named by its slug (as links and chosen options send it) or by its name
    (as a reader types it): the record, or a message saying no record has that name."""

    def __init__(self, *, queryset, noun: str, options_url, value_field: str = "slug",
                 label_field: str = "name", empty_label=ANY, **kwargs):  # fmt: skip
        self.queryset = queryset
        self.noun = noun
        self.value_field = value_field
        self.label_field = label_field
        widget = NamedChoiceWidget(
            queryset=queryset,
            value_field=value_field,
            label_field=label_field,
            empty_label=empty_label,
            options_url=options_url,
        )
        super().__init__(widget=widget, **kwargs)

    def clean(self, value):
        text = (value or "").strip()
        if not text:
            return None
        record = named_record(self.queryset, text, self.value_field, self.label_field)
        if record is None:
            raise ValidationError(
                _("no %(noun)s is named “%(text)s”") % {"noun": self.noun, "text": text[:100]},
                code="unknown",
            )
        self.widget.shown_names[value] = getattr(record, self.label_field)
        return record


def named_record(queryset, text: str, value_field: str = "slug", label_field: str = "name"):
    """The record whose value (slug) is `text`, else the one named `text` (its exact case
    first, then any case), else None."""
    candidates = list(
        queryset.filter(Q(**{value_field: text}) | Q(**{f"{label_field}__iexact": text}))[:20]
    )

    def closeness(record) -> tuple:
        return (
            getattr(record, value_field) != text,
            getattr(record, label_field) != text,
            getattr(record, label_field),
        )

    return min(candidates, key=closeness, default=None)


@extend_schema_field(OpenApiTypes.STR)  # the API documents a slug or a name, as text
class NamedChoiceFilter(django_filters.Filter):
    """A filter by one record, chosen from a list or typed by name (`NamedChoiceField`)."""

    field_class = NamedChoiceField


def named_options(queryset, text: str, *, value_field: str = "slug", label_field: str = "name",
                  limit: int = 10) -> list[dict[str, str]]:  # fmt: skip
    """Records whose name contains `text`, those starting with it first, as the typed
    filter's suggestions: [{"value": slug, "label": name}]."""
    text = text.strip()[:100]
    if not text:
        return []
    contains = queryset.filter(**{f"{label_field}__icontains": text})
    starts = Q(**{f"{label_field}__istartswith": text})
    records = (
        contains.only(value_field, label_field)
        .annotate(starts_with=Case(When(starts, then=Value(0)), default=Value(1)))
        .order_by("starts_with", label_field)[:limit]
    )
    return [
        {"value": str(getattr(r, value_field)), "label": str(getattr(r, label_field))}
        for r in records
    ]


def filter_options_response(request, filterset_class, name: str) -> JsonResponse:
    """The suggestions of a list's typed filter `name` for the text in `q`, as JSON; a 404
    when the list has no such filter."""
    found = filterset_class.base_filters.get(name)
    if not isinstance(found, NamedChoiceFilter):
        raise Http404("This list has no such filter.")
    text = request.GET.get("q", "")
    extra = found.extra
    options = named_options(
        extra["queryset"],
        text,
        value_field=extra.get("value_field", "slug"),
        label_field=extra.get("label_field", "name"),
    )
    return JsonResponse({"query": text, "options": options})
