"""Keyset ("cursor") pagination for the API's lists, in whatever order the list's `sort` asks.

Django REST framework's CursorPagination keeps only the first ordering field in its cursor
and steps over ties by offset, and compares with `<`/`>`, which drops rows whose value is
empty: sorted by credibility, a page would go on by offset through thousands of equal
levels and never reach the unrated sources. Here the cursor holds every ordering value of
the last row plus its key, and the next page is the rows strictly after that tuple in the
list's own order (empty values last, as every list sorts them): each page costs the same
however deep it is, and no row is skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, OrderBy, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_SIZE = 25
PAGE_SIZE_MAX = 100
CURSOR_PARAM = "cursor"
SIZE_PARAM = "per_page"

BAD_CURSOR = _("The cursor is not one this list gave: start again from the list's first page.")
BAD_SIZE = _("per_page must be a whole number from 1 to %(max)s.")


@dataclass(frozen=True)
class Key:
    """One column of a list's order: its name, direction, and whether it may be empty."""

    name: str
    descending: bool
    nullable: bool

    def order(self):
        field = F(self.name)
        if not self.nullable:  # plain, so that the column's index serves the order
            return field.desc() if self.descending else field.asc()
        return field.desc(nulls_last=True) if self.descending else field.asc(nulls_last=True)

    def after(self, value) -> Q | None:
        """Rows after `value` in this column's order (empty values come last), or None
        when nothing can be: after an empty value only ties follow."""
        if value is None:
            return None
        beyond = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        return beyond | Q(**{f"{self.name}__isnull": True}) if self.nullable else beyond

    def equal(self, value) -> Q:
        if value is None:
            return Q(**{f"{self.name}__isnull": True})
        return Q(**{self.name: value})


def _key_of(queryset: QuerySet, expression) -> Key:
    if isinstance(expression, str):
        descending = expression.startswith("-")
        name = expression.lstrip("-")
    elif isinstance(expression, OrderBy) and isinstance(expression.expression, F):
        descending = expression.descending
        name = expression.expression.name
    else:
        raise TypeError(f"A keyset page cannot follow the order {expression!r}.")
    model = queryset.model
    if name == "pk":
        return Key(model._meta.pk.attname, descending, nullable=False)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        # An annotation (a count, a search rank): treated as possibly empty, which costs
        # nothing where it never is.
        return Key(name, descending, nullable=True)
    return Key(field.attname, descending, nullable=field.null)


def order_keys(queryset: QuerySet) -> list[Key]:
    """The list's order as keys, ending with the primary key so that no two rows tie."""
    expressions = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    keys = [_key_of(queryset, expression) for expression in expressions]
    pk = queryset.model._meta.pk.attname
    if not any(key.name == pk for key in keys):
        keys.append(Key(pk, descending=False, nullable=False))
    return keys


def rows_after(keys: list[Key], values: list) -> Q:
    """The condition for rows strictly after (values) in the order of `keys`."""
    condition = keys[-1].after(values[-1])
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        after = key.after(value)
        tied = key.equal(value) & condition
        condition = tied if after is None else after | tied
    return condition


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _signature(keys: list[Key]) -> str:
    return ",".join(("-" if key.descending else "") + key.name for key in keys)


def cursor_encode(keys: list[Key], row) -> str:
    payload = {"o": _signature(keys), "v": [_json_value(getattr(row, k.name)) for k in keys]}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(keys: list[Key], cursor: str, model) -> list:
    """The values a cursor holds, checked against the list's order and the columns' types;
    ParseError (a 400 naming the parameter) for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if not isinstance(payload, dict) or payload.get("o") != _signature(keys):
            raise ValueError
        values = payload["v"]
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        return [_checked(model, key, value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, KeyError, binascii.Error, ValidationError):
        raise ParseError({CURSOR_PARAM: [str(BAD_CURSOR)]}) from None


def _checked(model, key: Key, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError
    try:
        field = next(f for f in model._meta.concrete_fields if f.attname == key.name)
    except StopIteration:  # an annotation: a number
        if isinstance(value, str):
            raise ValueError from None
        return value
    return field.to_python(value)


class KeysetPagination(BasePagination):
    """`?per_page=` rows (25 by default, at most 100) and a `next` link holding the cursor;
    no count (it would grow with the table) and no page numbers."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._size(request)
        keys = order_keys(queryset)
        queryset = queryset.order_by(*(key.order() for key in keys))
        cursor = request.query_params.get(CURSOR_PARAM)
        if cursor:
            values = cursor_decode(keys, cursor, queryset.model)
            queryset = queryset.filter(rows_after(keys, values))
        rows = list(queryset[: size + 1])
        self.next_cursor = cursor_encode(keys, rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    @staticmethod
    def _size(request) -> int:
        given = request.query_params.get(SIZE_PARAM)
        if given is None:
            return PAGE_SIZE
        try:
            size = int(given)
        except ValueError:
            size = 0
        if not 1 <= size <= PAGE_SIZE_MAX:
            raise ParseError({SIZE_PARAM: [str(BAD_SIZE % {"max": PAGE_SIZE_MAX})]})
        return size

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, CURSOR_PARAM, self.next_cursor)

    def get_first_link(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), CURSOR_PARAM)

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "first": self.get_first_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "first", "results"],
            "properties": {
                "next": {**link, "description": "The next page, or null on the last."},
                "first": {**link, "nullable": False, "description": "The first page."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": CURSOR_PARAM,
                "in": "query",
                "required": False,
                "description": "Where the page starts: copy it from the previous page's `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": SIZE_PARAM,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {PAGE_SIZE_MAX} ({PAGE_SIZE} by default).",
                "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX},
            },
        ]
