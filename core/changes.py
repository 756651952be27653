"""The one announcement a bulk write makes of what it changed.

Saves and deletes announce themselves row by row through Django's model signals. Bulk
writes (`QuerySet.update`, `bulk_create`, `bulk_update`, raw SQL) send none: they call
`records_changed` instead, and whatever keeps derived state fresh (the page cache, the
search index) listens to `bulk_changed` beside the model signals. It is the only way those
hear of a bulk write; the test suite fails any test whose bulk write forgets it
(tests/write_announcements.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.dispatch import Signal

# sender: the model whose rows were written; pks: their primary keys, or None for "any".
bulk_changed = Signal()


def records_changed(model: type[models.Model], pks: Iterable | None = None) -> None:
    """Announce that rows of `model` (these `pks`, or any when None) were written in bulk."""
    bulk_changed.send(sender=model, pks=None if pks is None else list(pks))
