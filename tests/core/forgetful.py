"""Bulk writes for tests/core/test_changes.py: one that says what it changed, one that forgets."""

from core.changes import records_changed
from sources.models import Source


def source_titles_set_silently(pks, title: str) -> None:
    Source.objects.filter(pk__in=pks).update(title=title)


def source_titles_set(pks, title: str) -> None:
    Source.objects.filter(pk__in=pks).update(title=title)
    records_changed(Source, pks)


def source_merit_set(pks, merit: int) -> None:
    # Only the columns the search index keeps for itself: the index's own write.
    Source.objects.filter(pk__in=pks).update(search_merit=merit)
