"""The history of every record: who changed what, when, and why.

django-simple-history keeps a historical row for each create, change and delete of a
tracked model. In a request its middleware names the user; imports and commands have no
request, so they open a `history_context` that names the reason (and the user, if any)
for every row written inside it, whether by `save()`, a delete or a bulk helper below.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .changes import records_changed


@dataclass(frozen=True)
class HistoryContext:
    reason: str
    user: Any = None


_current: ContextVar[HistoryContext | None] = ContextVar("credence_history", default=None)


@contextmanager
def history_context(*, reason: str, user=None) -> Iterator[HistoryContext]:
    """Record every history row written inside the block with this reason (and user)."""
    context = HistoryContext(reason=reason, user=user)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def history_reason() -> str | None:
    context = _current.get()
    return context.reason if context else None


def _history_user(instance=None, request=None, **kwargs):
    context = _current.get()
    if context is not None and context.user is not None:
        return context.user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class TrackedHistory(HistoricalRecords):
    """HistoricalRecords that also take the user and reason from `history_context`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("get_user", _history_user)
        super().__init__(**kwargs)

    def get_change_reason_for_object(self, instance, history_type, using):
        return super().get_change_reason_for_object(instance, history_type, using) or (
            history_reason()
        )


def bulk_create_tracked(objs: Sequence[models.Model], model: type[models.Model]) -> list:
    """bulk_create that writes the rows' history too, with the current context's reason."""
    if not objs:
        return []
    # The user comes from the context or the request, through TrackedHistory's get_user.
    created = bulk_create_with_history(objs, model, default_change_reason=history_reason())
    pks = [obj.pk for obj in created]
    records_changed(model, None if None in pks else pks)
    return created


def bulk_update_tracked(
    objs: Sequence[models.Model], model: type[models.Model], fields: Sequence[str]
) -> int:
    """bulk_update that writes the rows' history too, with the current context's reason."""
    if not objs:
        return 0
    updated = bulk_update_with_history(objs, model, fields, default_change_reason=history_reason())
    records_changed(model, [obj.pk for obj in objs])
    return updated
