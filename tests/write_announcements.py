"""Catch a bulk write that does not say what it changed.

The page cache and the search index hear of saves and deletes through the model signals,
and of bulk writes (`update()`, `bulk_create()`, raw SQL) only through
`core.changes.records_changed`. During every test, `WriteAnnouncements` watches each
INSERT, UPDATE and DELETE that the project's own code sends to a table the page cache
watches, and each announcement (a model signal or `records_changed`) of that table; a
write still unannounced when the test ends fails the test, naming the table, the
statement and the line of code that sent it.

Not counted: writes sent from the tests themselves (arranging data), writes during
migrations, writes to history tables, and updates of nothing but the search columns the
index keeps for itself.
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_migrate
from simple_history.models import HistoricalChanges

from core import page_cache
from core.changes import bulk_changed

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CODE = tuple(
    str(ROOT / app) + "/"
    for app in ("accounts", "config", "core", "interchange", "ratings", "search", "sources", "wiki")
)
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?P<table>\w+)"?', re.I)
# The SET list of an UPDATE (the table may have an alias), up to its WHERE or FROM.
UPDATE = re.compile(
    r'^\s*UPDATE\s+"?\w+"?(?:\s+(?!SET\b)\w+)?\s+SET\s+(?P<set>.*?)(?:\s+(?:WHERE|FROM)\s|$)',
    re.I | re.S,
)
SET_COLUMN = re.compile(r'"?(\w+)"?\s*=')
# Kept by the search index beside each searchable row: written by the index itself.
SEARCH_COLUMN = re.compile(r"^search_\w+$")


@dataclass
class Unannounced:
    table: str
    sql: str
    sent_from: str

    def __str__(self) -> str:
        return f"{self.table}: {self.sql[:160]} (sent from {self.sent_from})"


def _watched_tables() -> dict[str, type]:
    return {
        model._meta.db_table: model
        for model in page_cache.WATCHED
        if not issubclass(model, HistoricalChanges)
    }


TESTS = str(ROOT / "tests") + "/"


def _caller_in(project_code: tuple[str, ...]) -> str | None:
    """The innermost frame of the project's own code, if the stack passes through it, unless
    a test's frame is nearer (the test arranging data)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(project_code) and "/migrations/" not in filename:
            return f"{Path(filename).relative_to(ROOT)}:{frame.f_lineno}"
        if filename.startswith(TESTS):
            return None
        frame = frame.f_back
    return None


def _only_search_columns(sql: str) -> bool:
    match = UPDATE.match(sql)
    if match is None:
        return False
    columns = SET_COLUMN.findall(match["set"])
    return bool(columns) and all(SEARCH_COLUMN.match(column) for column in columns)


class WriteAnnouncements:
    def __init__(self, project_code: tuple[str, ...] = PROJECT_CODE):
        self.project_code = project_code
        self.tables = _watched_tables()
        self.pending: dict[str, list[Unannounced]] = {}
        self.migrating = 0

    # -- the database side: what was written -----------------------------------------

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.migrating:
            self._note(sql)
        return result

    def _note(self, sql: str) -> None:
        match = WRITE.match(sql)
        if match is None or match["table"] not in self.tables:
            return
        if _only_search_columns(sql):
            return
        sent_from = _caller_in(self.project_code)
        if sent_from is not None:
            self.pending.setdefault(match["table"], []).append(
                Unannounced(match["table"], " ".join(sql.split()), sent_from)
            )

    # -- the announcing side: what was said ------------------------------------------

    def _announced(self, sender, **kwargs):
        table = getattr(getattr(sender, "_meta", None), "db_table", None)
        self.pending.pop(table, None)

    def _migration_starts(self, **kwargs):
        self.migrating += 1

    def _migration_ends(self, **kwargs):
        self.migrating = max(0, self.migrating - 1)

    @contextmanager
    def watching(self):
        receivers = [(post_save, None), (m2m_changed, None), (bulk_changed, None)]
        # post_delete only for watched models: a receiver makes Django delete row by row,
        # and these have the page cache's receiver already.
        receivers += [(post_delete, model) for model in self.tables.values()]
        for signal, sender in receivers:
            signal.connect(self._announced, sender=sender, weak=False)
        pre_migrate.connect(self._migration_starts, weak=False)
        post_migrate.connect(self._migration_ends, weak=False)
        try:
            with connection.execute_wrapper(self):
                yield self
        finally:
            for signal, sender in receivers:
                signal.disconnect(self._announced, sender=sender)
            pre_migrate.disconnect(self._migration_starts)
            post_migrate.disconnect(self._migration_ends)

    def unannounced(self) -> list[Unannounced]:
        return [write for writes in self.pending.values() for write in writes]
