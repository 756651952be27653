"""Full-text search over every kind an app registers, on PostgreSQL and SQLite alike.

One query language for readers (web-search style: words are ANDed, "quoted phrases",
`or` between alternatives, `-word` to exclude, and the last word matches as a prefix
while typing), parsed once and rendered for each database:

- PostgreSQL: a stored, weighted `search_vector` per row (GIN-indexed), matched with
  `to_tsquery`; titles similar by trigrams come from pg_trgm (GIN-indexed).
- SQLite: an FTS5 table per kind (porter stemming, a column per weight), and an FTS5
  trigram table of titles for the similar ones, scored with pg_trgm's own measure.

How results are ordered is `search.ranking`: one rule on both databases, read from
the columns `search_index_refresh` keeps beside the index (title key, merit, date).
Apps register their kinds in AppConfig.ready() (`search_kind_register`); the index then
follows their rows' model signals and the bulk writes they announce (`core.changes`),
and `search_index_deferred` batches the refreshes for imports.
Results are capped at `SEARCH_CAP` rows: no search scans without bound.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connection, connections
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.safestring import SafeString, mark_safe

from core.changes import bulk_changed
from core.text import title_key, trigram_text, trigram_words

from .freshness import IndexedRows, search_all_stale, search_rows_changed, search_rows_read
from .models import FTS_CONFIG, SEARCH_DATE_NONE

# Results of one kind are counted and listed no further than this.
SEARCH_CAP = 1000

# -- the query language ----------------------------------------------------------------

WORD = re.compile(r"\w+", re.UNICODE)
TOKEN = re.compile(r'-?"[^"]*"?|\S+')


@dataclass
class Clause:
    words: list[str]
    negated: bool = False
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass
class ParsedQuery:
    """Alternatives (OR) of groups of clauses (AND)."""

    groups: list[list[Clause]] = field(default_factory=list)
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def positive_words(self) -> list[str]:
        return [w for group in self.groups for c in group if not c.negated for w in c.words]


def query_parse(text: str) -> ParsedQuery:
    """Parse a reader's query; groups with nothing to match (only `-words`) are dropped."""
    raw = (text or "")[:500]
    # While typing, the last word is unfinished: a query that ends in a letter (not a
    # space or a closing quote) matches its last word as a prefix.
    typing = bool(raw) and not raw.endswith((" ", '"'))
    text = raw.strip()
    groups: list[list[Clause]] = [[]]
    for token in TOKEN.findall(text):
        if token.lower() == "or":
            groups.append([])
            continue
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        words = [w.lower() for w in WORD.findall(body)]
        if words:
            groups[-1].append(Clause(words=words, negated=negated))
    groups = [g for g in groups if any(not c.negated for c in g)]
    if groups and typing:
        last = groups[-1][-1]
        if not last.negated and not last.is_phrase:
            last.prefix = True
    return ParsedQuery(groups=groups, text=text)


def _tsquery(parsed: ParsedQuery, weights: str = "") -> str:
    """Render for PostgreSQL; with `weights` ("AB"), the words must be in those weights."""

    def clause(c: Clause) -> str:
        label = "" if c.negated else weights
        lexemes = [f"'{w}'" + (f":{label}" if label else "") for w in c.words]
        if not c.is_phrase and c.prefix:
            lexemes[0] = f"'{c.words[0]}':*{label}"
        rendered = " <-> ".join(lexemes) if c.is_phrase else lexemes[0]
        rendered = f"({rendered})" if c.is_phrase else rendered
        return f"!{rendered}" if c.negated else rendered

    return " | ".join("(" + " & ".join(clause(c) for c in group) + ")" for group in parsed.groups)


def _fts5_match(parsed: ParsedQuery, weights: str = "") -> str:
    """Render for SQLite FTS5; with `weights` ("AB"), the words must be in those columns."""

    def clause(c: Clause) -> str:
        return '"' + " ".join(c.words) + '"' + ("*" if c.prefix else "")

    rendered = []
    for group in parsed.groups:
        positive = " AND ".join(clause(c) for c in group if not c.negated)
        if weights:
            positive = "{" + " ".join(weights.lower()) + "} : (" + positive + ")"
        negative = "".join(f" NOT {clause(c)}" for c in group if c.negated)
        rendered.append(f"({positive}{negative})")
    return " OR ".join(rendered)


# -- what each kind indexes ------------------------------------------------------------


@dataclass
class SearchKind:
    """A searchable model: its text columns by weight (A most important), its title."""

    name: str
    model: type[Model]
    weighted: dict[str, list]  # weight -> [field names or expressions]
    title_field: str
    snippet_fields: tuple[str, ...]
    # PostgreSQL expression (row alias `t`) for text kept in other tables, weight D.
    extra_sql: str = ""
    # The weights holding the title, summary and description (not the body): the words a
    # result "describes itself" with, ranked above a mention in the body.
    described: str = "AB"
    # pks -> {pk: (title, merit 0-100, date or None)}: what `SearchRankedModel` keeps.
    ranking_values: Callable[[list], dict] | None = None

    @property
    def fts_table(self) -> str:
        return f"search_{self.name}"

    @property
    def titles_table(self) -> str:
        """SQLite: the titles by trigrams, for similar titles (pg_trgm's job on PostgreSQL)."""
        return f"search_{self.name}_titles"


KINDS: dict[str, SearchKind] = {}
# Extra text per kind that lives in other tables (a source's key points): pk -> text.
EXTRA_TEXT: dict[str, Callable[[list], dict]] = {}


def searchable_models() -> list[type[Model]]:
    """The models search looks in: a search's answer changes with any write of them."""
    return [kind.model for kind in KINDS.values()]


# A model whose rows are part of another kind's entry (a source's key points) -> that
# kind's name and the column naming the row they belong to.
PARTS: dict[type[Model], tuple[str, str]] = {}


def search_kind_register(
    kind: SearchKind,
    extra_text: Callable | None = None,
    parts: dict[type[Model], str] | None = None,
) -> None:
    """Index `kind` and keep it current: its rows' saves and deletes, those of its `parts`
    (model -> column naming the indexed row), and bulk writes of either (`core.changes`)."""
    KINDS[kind.name] = kind
    if extra_text is not None:
        EXTRA_TEXT[kind.name] = extra_text
    pre_save.connect(_before_save, sender=kind.model, dispatch_uid=f"search-pre-{kind.name}")
    post_save.connect(_on_save, sender=kind.model, dispatch_uid=f"search-{kind.name}")
    post_delete.connect(_on_delete, sender=kind.model, dispatch_uid=f"search-del-{kind.name}")
    for model, column in (parts or {}).items():
        PARTS[model] = (kind.name, column)
        uid = f"search-part-{model._meta.label_lower}"
        post_save.connect(_on_part_change, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_part_change, sender=model, dispatch_uid=uid + "-del")
    bulk_changed.connect(_on_bulk_change, dispatch_uid="search-bulk")


def _kind_of(model: type[Model]) -> SearchKind | None:
    return next((kind for kind in KINDS.values() if kind.model is model), None)


def _before_save(sender, instance, raw=False, **kwargs):
    # What the index holds of the row before the save: a save writes the instance's own
    # copy of the search columns, which may be stale (an instance made in this process).
    if raw or _deferred.get() is not None:
        return
    if instance._state.adding or instance.pk is None:
        instance._search_before = NEW_ROW
    else:
        instance._search_before = search_rows_read(_kind_of(sender), [instance.pk])


def _on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        kind = _kind_of(sender)
        before = instance.__dict__.pop("_search_before", NOT_READ)
        if before is NEW_ROW:  # every term it has now is new
            before = IndexedRows.nothing(kind, [instance.pk])
        search_index_refresh(kind.name, [instance.pk], before=before)


def _on_delete(sender, instance, **kwargs):
    search_index_remove(_kind_of(sender).name, [instance.pk])


def _on_part_change(sender, instance, raw=False, **kwargs):
    if not raw:
        kind_name, column = PARTS[sender]
        search_index_refresh(kind_name, [getattr(instance, column)])


def _on_bulk_change(sender, pks, **kwargs):
    kind = _kind_of(sender)
    if kind is not None:
        if pks is None:
            _rebuild_soon(kind.name)
        else:
            search_index_refresh(kind.name, pks)
    elif sender in PARTS:
        kind_name, column = PARTS[sender]
        if pks is None:
            _rebuild_soon(kind_name)
        else:
            rows = sender._default_manager.filter(pk__in=pks)
            search_index_refresh(kind_name, rows.values_list(column, flat=True))


WEIGHTS = ("A", "B", "C", "D")


def _indexable(name: str, value) -> str:
    # A URL's parts as words, so that "docs.example.net" finds it on both databases
    # (PostgreSQL's parser would otherwise keep a host name as one token).
    text = str(value or "")
    return URL_PUNCTUATION.sub(" ", text) if name == "url" else text


URL_PUNCTUATION = re.compile(r"[\W_]+")


def _texts(kind: SearchKind, pks: list) -> dict[object, dict[str, str]]:
    """Each row's text per weight, read in one query (plus one for extra text)."""
    names = [name for weight in WEIGHTS for name in kind.weighted.get(weight, [])]
    rows = kind.model._default_manager.filter(pk__in=pks).values_list("pk", *names)
    extra = EXTRA_TEXT[kind.name](pks) if kind.name in EXTRA_TEXT else {}
    texts = {}
    for pk, *values in rows:
        by_name = dict(zip(names, values, strict=True))
        texts[pk] = {
            weight: " ".join(_indexable(n, by_name[n]) for n in kind.weighted.get(weight, []))
            for weight in WEIGHTS
        }
        texts[pk]["D"] = (texts[pk]["D"] + " " + extra.get(pk, "")).strip()
    return texts


# -- keeping the index current ---------------------------------------------------------

_deferred: ContextVar[set | None] = ContextVar("search_deferred", default=None)


@contextmanager
def search_index_deferred() -> Iterator[None]:
    """Collect refreshes inside the block and run them once at its end (imports)."""
    if _deferred.get() is not None:
        yield
        return
    pending: set = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    # Reached only when the block succeeded: after an error the transaction is rolled back.
    rebuilt = {kind for kind, pk in pending if pk is EVERY_ROW}
    for kind in rebuilt:
        search_index_rebuild(kind)
    by_kind: dict[str, list] = {}
    for kind, pk in pending:
        if kind not in rebuilt:
            by_kind.setdefault(kind, []).append(pk)
    for kind, pks in by_kind.items():
        # The rows' search columns may hold what their instances held (see _before_save):
        # what the index held before is not known, so every search may have changed.
        search_index_refresh(kind, pks, before=None)


# In a deferred block: the kind's every row is to be indexed again (a rebuild).
EVERY_ROW = object()


def _rebuild_soon(kind_name: str) -> None:
    """Rebuild a kind's index now, or once at the end of a deferred block."""
    pending = _deferred.get()
    if pending is None:
        search_index_rebuild(kind_name)
    else:
        pending.add((kind_name, EVERY_ROW))


# `search_index_refresh` without a reading of the rows from before the write: it reads them.
NOT_READ = object()
NEW_ROW = object()  # a row being inserted: nothing to read before


def search_index_refresh(kind_name: str, pks: Iterable, *, before=NOT_READ) -> None:
    """Bring the search index of these rows (of one kind) in step with the rows, and make
    stale the cached searches that changes (`search.freshness`). `before`: what the index
    held of a row before it was saved (`_before_save`), or None when unknown (then every
    search is made stale); by default, read here (rows written by `update()`)."""
    pks = list(dict.fromkeys(pks))
    if not pks:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update((kind_name, pk) for pk in pks)
        return
    kind = KINDS[kind_name]
    for start in range(0, len(pks), 500):
        _refresh_batch(kind, pks[start : start + 500], before)


def _refresh_batch(kind: SearchKind, pks: list, before) -> None:
    """Refresh these rows' index, and make stale the cached searches it changes
    (`search.freshness`: what the index held of each row before, and holds after)."""
    if before is NOT_READ:
        before = search_rows_read(kind, pks)
    _ranking_refresh(kind, pks)
    if connection.vendor == "postgresql":
        _pg_refresh(kind, pks)
    elif connection.vendor == "sqlite":
        stored = _fts5_stored(kind, pks)
        if before is not None:
            before.terms_set_sqlite({pk: texts for pk, (_rowids, texts) in stored.items()})
        texts = _fts5_refresh(kind, pks, stored)
    after = search_rows_read(kind, pks) if before is not None else None  # not compared
    if after is not None and connection.vendor == "sqlite":
        after.terms_set_sqlite(texts)
    search_rows_changed(before, after)


def search_index_remove(kind_name: str, pks: Iterable) -> None:
    search_all_stale()
    if connection.vendor == "sqlite":
        kind = KINDS[kind_name]
        refs = [str(pk) for pk in pks]
        with connection.cursor() as cursor:
            for table in (kind.fts_table, kind.titles_table):
                _fts5_forget(cursor, table, refs)


# FTS5 cannot index `ref` (it is UNINDEXED): each DELETE ... WHERE reads the whole table, so
# one statement per batch, not per row. Per row, a first import of the corpus spent 28 s here.
FTS5_DELETE_BATCH = 500


def _fts5_forget(cursor, table: str, refs: list[str]) -> None:
    """Delete the rows of these refs from an FTS5 table, reading the table once per batch."""
    for start in range(0, len(refs), FTS5_DELETE_BATCH):
        batch = refs[start : start + FTS5_DELETE_BATCH]
        marks = ", ".join(["%s"] * len(batch))
        cursor.execute(f"DELETE FROM {table} WHERE ref IN ({marks})", batch)


def _ranking_refresh(kind: SearchKind, pks: list) -> None:
    """Store what results are ranked by (`SearchRankedModel`): title key, merit, date."""
    if kind.ranking_values is None:
        return
    table = kind.model._meta.db_table
    pk_column = kind.model._meta.pk.column
    rows = [
        (title_key(title)[:500], merit, day or SEARCH_DATE_NONE, pk)
        for pk, (title, merit, day) in kind.ranking_values(pks).items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET search_title = %s, search_merit = %s, search_date = %s "
            f"WHERE {pk_column} = %s",
            rows,
        )


def _pg_refresh(kind: SearchKind, pks: list) -> None:
    texts = _texts(kind, pks)
    table = kind.model._meta.db_table
    pk_column = kind.model._meta.pk.column
    rows = [(pk, *(texts[pk][w] for w in WEIGHTS)) for pk in texts]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"""UPDATE {table} SET search_vector =
                setweight(to_tsvector(%s, %s), 'A') || setweight(to_tsvector(%s, %s), 'B')
                || setweight(to_tsvector(%s, %s), 'C') || setweight(to_tsvector(%s, %s), 'D'),
                search_title_vector = to_tsvector(%s, %s)
                WHERE {pk_column} = %s""",
            [
                (FTS_CONFIG, a, FTS_CONFIG, b, FTS_CONFIG, c, FTS_CONFIG, d, FTS_CONFIG, a, pk)
                for pk, a, b, c, d in rows
            ],
        )


def _fts5_stored(kind: SearchKind, pks: list) -> dict[object, tuple[list[int], dict]]:
    """SQLite: what the FTS5 table holds of these rows: pk -> (its rowids, weight -> text).
    One read of the table (`ref` is not indexed), after which rows go by rowid."""
    by_ref = {str(pk): pk for pk in pks}
    stored: dict[object, tuple[list[int], dict]] = {}
    marks = ", ".join(["%s"] * len(by_ref))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, ref, a, b, c, d FROM {kind.fts_table} WHERE ref IN ({marks})",
            list(by_ref),
        )
        for rowid, ref, *texts in cursor.fetchall():
            rowids, _ = stored.get(by_ref[ref], ([], {}))
            stored[by_ref[ref]] = ([*rowids, rowid], dict(zip(WEIGHTS, texts, strict=True)))
    return stored


def _fts5_refresh(kind: SearchKind, pks: list, stored: dict | None = None) -> dict:
    """Rewrite these rows of the FTS5 tables; return the texts indexed (pk -> weight ->
    text). `stored`: what `_fts5_stored` read of them, to delete them by rowid."""
    texts = _texts(kind, pks)
    titles = kind.model._default_manager.filter(pk__in=pks).values_list("pk", kind.title_field)
    refs = [str(pk) for pk in pks]
    with connection.cursor() as cursor:
        if stored is None:
            _fts5_forget(cursor, kind.fts_table, refs)
        else:
            rowids = [rowid for row_ids, _ in stored.values() for rowid in row_ids]
            for start in range(0, len(rowids), FTS5_DELETE_BATCH):
                batch = rowids[start : start + FTS5_DELETE_BATCH]
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(f"DELETE FROM {kind.fts_table} WHERE rowid IN ({marks})", batch)
        cursor.executemany(
            f"INSERT INTO {kind.fts_table} (ref, a, b, c, d) VALUES (%s, %s, %s, %s, %s)",
            [[str(pk), *(texts[pk][w] for w in WEIGHTS)] for pk in texts],
        )
        _fts5_forget(cursor, kind.titles_table, refs)
        cursor.executemany(
            f"INSERT INTO {kind.titles_table} (ref, title) VALUES (%s, %s)",
            [[str(pk), trigram_text(title)] for pk, title in titles],
        )
    return texts


def search_index_rebuild(kind_name: str) -> int:
    """Refresh every row of a kind (after bulk loads); return how many.

    On PostgreSQL one set-based UPDATE; on SQLite the FTS table is refilled in batches.
    """
    kind = KINDS[kind_name]
    search_all_stale()  # any search may change: say so once, not per row
    pks = list(kind.model._default_manager.values_list("pk", flat=True))
    for start in range(0, len(pks), 2000):
        _ranking_refresh(kind, pks[start : start + 2000])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_pg_rebuild_sql(kind))
            return cursor.rowcount
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {kind.fts_table}")
            cursor.execute(f"DELETE FROM {kind.titles_table}")
        for start in range(0, len(pks), 2000):
            _fts5_refresh(kind, pks[start : start + 2000])
    return len(pks)


def _pg_rebuild_sql(kind: SearchKind) -> str:
    def column(name: str) -> str:
        value = f"coalesce(t.{kind.model._meta.get_field(name).column}, '')"
        return f"regexp_replace({value}, '[\\W_]+', ' ', 'g')" if name == "url" else value

    parts = []
    joined_by_weight = {}
    for weight in WEIGHTS:
        texts = [column(name) for name in kind.weighted.get(weight, [])]
        if weight == "D" and kind.extra_sql:
            texts.append(f"coalesce(({kind.extra_sql}), '')")
        if texts:
            joined_by_weight[weight] = " || ' ' || ".join(texts)
            parts.append(
                f"setweight(to_tsvector('{FTS_CONFIG}', {joined_by_weight[weight]}), '{weight}')"
            )
    title = f"to_tsvector('{FTS_CONFIG}', {joined_by_weight['A']})"
    return (
        f"UPDATE {kind.model._meta.db_table} t SET search_vector = {' || '.join(parts)}, "
        f"search_title_vector = {title}"
    )


# -- searching -------------------------------------------------------------------------


# pg_trgm's default similarity threshold (`pg_trgm.similarity_threshold`), used on both.
SIMILARITY_THRESHOLD = 0.3
SIMILAR_LIMIT = 20
# SQLite: how many titles sharing trigrams with the query are scored in Python.
SIMILAR_CANDIDATES = 200


def _similar_titles(kind: SearchKind, parsed: ParsedQuery) -> list[tuple[object, float]]:
    """Titles similar to the query by trigrams, best first, as (pk, similarity 0-1).

    PostgreSQL: pg_trgm's % operator (GIN-indexed). SQLite: FTS5's trigram index finds the
    titles that share trigrams with the query's words, and `trigram_similarity` (pg_trgm's
    measure) scores them, so both databases offer the same titles.
    """
    words = " ".join(parsed.positive_words())
    if len(words) < 3:
        return []
    if connection.vendor == "postgresql":
        table = kind.model._meta.db_table
        pk_column = kind.model._meta.pk.column
        title = kind.title_field
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk_column}, similarity({title}, %s) AS rank FROM {table} "
                f"WHERE {title} %% %s ORDER BY rank DESC, {pk_column} LIMIT {SIMILAR_LIMIT}",
                [words, words],
            )
            return cursor.fetchall()
    grams = sorted(trigrams(words))  # padded ones too: `trigram_text` stores them
    if not grams:
        return []
    match = " OR ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ref, title FROM {kind.titles_table} WHERE {kind.titles_table} MATCH %s "
            f"ORDER BY rank LIMIT {SIMILAR_CANDIDATES}",
            [match],
        )
        rows = cursor.fetchall()
    scored = [(ref, trigram_similarity(title, words)) for ref, title in rows]
    scored = [(ref, score) for ref, score in scored if score >= SIMILARITY_THRESHOLD]
    scored.sort(key=lambda row: (-row[1], str(row[0])))
    integer_pk = kind.model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}
    return [(int(ref) if integer_pk else ref, score) for ref, score in scored][:SIMILAR_LIMIT]


def trigrams(text: str) -> set[str]:
    """Return a text's trigrams as pg_trgm makes them: those of each padded word."""
    grams = set()
    for padded in trigram_words(text):
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str, b: str) -> float:
    """Return pg_trgm's similarity: shared trigrams over all trigrams of the two texts."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


class capped:  # noqa: N801 - used like a function: capped(queryset)
    """At most SEARCH_CAP results, for a Paginator: counted without ordering (cheap),
    sliced with it (a page of the best results)."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def count(self) -> int:
        return capped_count(self.queryset)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            stop = min(index.stop if index.stop is not None else SEARCH_CAP, SEARCH_CAP)
            return self.queryset[index.start or 0 : stop]
        if index >= SEARCH_CAP:
            raise IndexError(index)
        return self.queryset[index]


def capped_count(queryset: QuerySet) -> int:
    """How many results, counting no further than SEARCH_CAP (no ordering needed)."""
    return queryset.order_by().values("pk")[:SEARCH_CAP].count()


def compiled(queryset: QuerySet) -> tuple[str, list]:
    """A queryset's SQL and parameters, for composing with raw SQL."""
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    return sql, list(params)


def capped_count_sql(queryset: QuerySet) -> tuple[str, list]:
    """`capped_count` as SQL, for `counts_select`."""
    sql, params = compiled(queryset.order_by().values("pk")[:SEARCH_CAP])
    return f"SELECT COUNT(*) FROM ({sql}) capped", params


def counts_select(parts: list[tuple[str, list]], *, using: str) -> list[int]:
    """Several counts (each an SQL `SELECT COUNT(*) ...`) in one query, each planned on
    its own."""
    sql = "SELECT " + ", ".join(f"({part})" for part, _params in parts)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [param for _part, params in parts for param in params])
        return list(cursor.fetchone())


# -- snippets --------------------------------------------------------------------------


def _word_pattern(words: list[str]) -> re.Pattern | None:
    # Match each word by its start, so that "govern" marks "governance" as the stemmer does.
    stems = sorted({w[: max(4, len(w) - 2)] if len(w) > 4 else w for w in words}, key=len)
    if not stems:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(s) for s in reversed(stems)) + r")\w*", re.I)


def highlight(text: str, words: list[str], *, width: int = 240) -> SafeString:
    """An escaped window of `text` around the first match, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    pattern = _word_pattern(words)
    if pattern is None:
        return mark_safe(html.escape(text[:width]))
    match = pattern.search(text)
    start = 0
    if match and match.start() > width // 3:
        start = text.rfind(" ", 0, match.start() - width // 3) + 1
    window = text[start : start + width]
    if start + width < len(text):
        window = window[: window.rfind(" ")] if " " in window else window
    parts, last = [], 0
    for found in pattern.finditer(window):
        parts.append(html.escape(window[last : found.start()]))
        parts.append(f"<mark>{html.escape(found.group(0))}</mark>")
        last = found.end()
    parts.append(html.escape(window[last:]))
    prefix = "… " if start else ""
    suffix = " …" if start + len(window) < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)


def snippet_for(obj: Model, kind_name: str, parsed: ParsedQuery) -> SafeString:
    """The best snippet of a result: the first of its snippet fields that mentions a word."""
    kind = KINDS[kind_name]
    words = parsed.positive_words()
    pattern = _word_pattern(words)
    texts = [getattr(obj, name) or "" for name in kind.snippet_fields]
    for text in texts:
        if pattern is not None and pattern.search(text):
            return highlight(text, words)
    return highlight(next((t for t in texts if t), ""), words)
