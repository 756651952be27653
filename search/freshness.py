"""Which cached searches a write makes stale: those whose words it touches, not every one.

A search's answer (which records match, in which tier and order, how many, the top hit, the
"Did you mean") can change with a write only through what the index holds of the written
record: its terms (the stemmed words, each in the title, in the words it describes itself
with, or only in its body), its title, its merit and its date (`search.ranking`). So the
index refresh compares, for each row it rewrites, what the index held before with what it
holds after, and bumps a tag per changed term (`word_tag`) and per leading part of one (at
3 and 6 letters), for searches that end in an unfinished word (`prefix_tag`). When the
title, merit or date moved, it bumps every term of the row, since the row may move within
every search that finds it, and its title's leading parts (`title_tag`: titles that start
with the query). A search page depends on the tags of its own terms, stemmed by the
database as the index stems them, and on `SEARCH_ALL`, which a deletion, a rebuild or a
refresh of many rows at once bumps. A search that offers titles of a kind spelled like
the query depends on them all (`titles_tag`). A quoted phrase depends on where words
stand, which the comparison does not follow: such a search follows every write of the
kinds searched, as one-kind tabs do (their filters read list fields, see
`search.selectors`).

The records a result shows are followed as on any page: by their own tags, noted as they
load (`core.page_cache`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection

from core.page_cache import content_changed, dependencies_wanted, depends_on

from .models import FTS_CONFIG

if TYPE_CHECKING:  # search.index calls this module as it refreshes
    from .index import ParsedQuery, SearchKind

# Bumped by what no term comparison describes: a row deleted, a kind re-indexed, more rows
# refreshed at once than are worth comparing one by one (an import, a venue's rating).
SEARCH_ALL = "search.index=all"
# Titles' leading parts are tagged up to this length: a query depends on the first
# PREFIX_TAG_CHARS characters of its title key (at most).
PREFIX_TAG_CHARS = 6
# A term's leading parts are tagged at these lengths (a tag per length, not per letter:
# a new record's few hundred terms bump a few hundred tags each, not 6 each). A query's
# unfinished word depends on its longest such start; one shorter than the shortest on
# SHORT_PREFIX_TAG, which every change of terms bumps.
PREFIX_TAG_LENGTHS = (3, 6)
SHORT_PREFIX_TAG = "search.prefix=~short"
# More rows than this in one refresh: SEARCH_ALL rather than reading each row's terms.
ROWS_COMPARED_MAX = 50
# More tags than this from one refresh: SEARCH_ALL instead (one key, not thousands).
TAGS_BUMPED_MAX = 4000
# SQLite: the tokenizer of every kind's FTS5 table (see the kinds' migrations).
FTS5_TOKENIZE = "porter unicode61 remove_diacritics 2"

_PLAIN = re.compile(r"[a-z0-9]+")


def _tag_text(text: str) -> str:
    # Tags travel in Surrogate-Key headers (ASCII, space-separated) and as cache keys: a
    # term with anything but letters and digits is named by a digest.
    if _PLAIN.fullmatch(text):
        return text
    return "~" + hashlib.sha1(text.encode()).hexdigest()[:16]


def word_tag(term: str) -> str:
    """The tag of searches for `term` (a stemmed word, as the index holds it)."""
    return f"search.word={_tag_text(term)}"


def prefix_tag(start: str) -> str:
    """The tag of searches for an unfinished word whose stem begins with `start`."""
    return f"search.prefix={_tag_text(start)}"


def titles_tag(kind_name: str) -> str:
    """The tag of a kind's titles, bumped when one is added or changed: what a search that
    offers titles spelled like the query depends on (a deletion bumps SEARCH_ALL)."""
    return f"search.titles={kind_name}"


def title_tag(start: str) -> str:
    """The tag of searches whose title key (`core.text.title_key`) begins with `start`."""
    return f"search.title={_tag_text(start)}"


def _starts(text: str) -> list[str]:
    return [text[:n] for n in range(1, min(len(text), PREFIX_TAG_CHARS) + 1)]


def _term_starts(term: str) -> list[str]:
    """The starts of a term that are tagged (`PREFIX_TAG_LENGTHS`)."""
    return [term[:n] for n in PREFIX_TAG_LENGTHS if len(term) >= n]


def _query_prefix_tag(prefix: str) -> str:
    """The tag a query's unfinished word (stemmed) depends on."""
    lengths = [n for n in PREFIX_TAG_LENGTHS if len(prefix) >= n]
    return prefix_tag(prefix[: max(lengths)]) if lengths else SHORT_PREFIX_TAG


# --- what a write touches ---------------------------------------------------------------

# A row as the ranking reads it: term -> (in the title, in the described weights), and
# the row's (title, title key, merit, date).
Terms = dict[str, tuple[bool, bool]]


class IndexedRows:
    """What the index holds of some rows of a kind, read before and after a refresh."""

    def __init__(self, kind: SearchKind, pks: list, *, read: bool = True):
        self.kind = kind
        self.pks = pks
        self.ranking: dict = {}
        self.terms: dict[object, Terms] = {}
        if read and connection.vendor == "postgresql":
            self.ranking, self.terms = _pg_rows(kind, pks)
        elif read:
            self.ranking = _ranking_rows(kind, pks)

    @classmethod
    def nothing(cls, kind: SearchKind, pks: list) -> IndexedRows:
        """Rows not yet in the index (being inserted)."""
        return cls(kind, pks, read=False)

    def terms_set_sqlite(self, texts: dict[object, dict[str, str]]) -> None:
        """SQLite: the rows' terms as FTS5 tokenizes these texts (pk -> weight -> text)."""
        self.terms = _fts5_terms(self.kind, texts)


def search_rows_read(kind: SearchKind, pks: list) -> IndexedRows | None:
    """What the index holds of these rows now (None: too many to compare)."""
    if len(pks) > ROWS_COMPARED_MAX:
        return None
    return IndexedRows(kind, pks)


def search_rows_changed(before: IndexedRows | None, after: IndexedRows | None) -> None:
    """Make stale the cached searches whose answer the refresh between `before` and `after`
    may have changed."""
    if before is None or after is None:
        content_changed([SEARCH_ALL])
        return
    tags: set[str] = set()
    for pk in before.pks:
        tags |= _row_tags(
            before.kind.name,
            before.terms.get(pk, {}),
            after.terms.get(pk, {}),
            before.ranking.get(pk),
            after.ranking.get(pk),
        )
        if len(tags) > TAGS_BUMPED_MAX:
            content_changed([SEARCH_ALL])
            return
    if tags:
        content_changed(tags)


def search_all_stale() -> None:
    """Any search may have changed: rows left the index, or a whole kind was re-indexed."""
    content_changed([SEARCH_ALL])


def _row_tags(kind_name: str, old: Terms, new: Terms, old_rank, new_rank) -> set[str]:
    if old_rank != new_rank:  # a new row, a title, merit or date moved: everywhere it is
        terms = old.keys() | new.keys()
        titles = {rank[1] for rank in (old_rank, new_rank) if rank is not None}
        tags = {title_tag(start) for key in titles for start in _starts(key)}
        if old_rank is None or new_rank is None or old_rank[:2] != new_rank[:2]:
            tags.add(titles_tag(kind_name))
    else:
        terms = {term for term in old.keys() | new.keys() if old.get(term) != new.get(term)}
        tags = set()
    for term in terms:
        tags.add(word_tag(term))
        tags.update(prefix_tag(start) for start in _term_starts(term))
    if terms:
        tags.add(SHORT_PREFIX_TAG)
    return tags


def _ranking_rows(kind: SearchKind, pks: list) -> dict:
    manager = kind.model._default_manager
    rows = manager.filter(pk__in=pks).values_list(
        "pk", kind.title_field, "search_title", "search_merit", "search_date"
    )
    return {pk: (title, key, merit, day) for pk, title, key, merit, day in rows}


def _flags(kind: SearchKind, weights: Iterable[str]) -> tuple[bool, bool]:
    weights = set(weights)
    return ("A" in weights, bool(weights & set(kind.described)))


def _pg_rows(kind: SearchKind, pks: list) -> tuple[dict, dict[object, Terms]]:
    """PostgreSQL, in one query: each row's ranking values and its terms with their weights
    (from its stored vector)."""
    table = kind.model._meta.db_table
    pk_column = kind.model._meta.pk.column
    title = kind.model._meta.get_field(kind.title_field).column
    ranking, terms = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.{pk_column}, t.{title}, t.search_title, t.search_merit, t.search_date, "
            "array(SELECT u.lexeme FROM unnest(t.search_vector) u ORDER BY u.lexeme), "
            "array(SELECT array_to_string(u.weights, '') FROM unnest(t.search_vector) u "
            f"ORDER BY u.lexeme) FROM {table} t WHERE t.{pk_column} = ANY(%s)",
            [list(pks)],
        )
        for pk, name, key, merit, day, lexemes, weights in cursor.fetchall():
            ranking[pk] = (name, key, merit, day)
            terms[pk] = {
                lexeme: _flags(kind, found) for lexeme, found in zip(lexemes, weights, strict=True)
            }
    return ranking, terms


_COLUMN_WEIGHT = {"a": "A", "b": "B", "c": "C", "d": "D"}


def fts5_scratch_create(sender, connection, **kwargs) -> None:
    """SQLite, on every new connection: a table of the connection's own (TEMP), tokenizing
    as the kinds' tables do, with its terms, to read how FTS5 stems a text. Made outside
    any transaction, so that it lasts as long as the connection."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch "
            f"USING fts5(a, b, c, d, tokenize='{FTS5_TOKENIZE}')"
        )
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch_terms "
            "USING fts5vocab(temp, search_scratch, 'instance')"
        )


def _fts5_tokenized(rows: list[tuple[str, str, str, str]]) -> list[tuple[int, str, str]]:
    """SQLite: the terms of each row of texts (by weight A-D) as FTS5 makes them, as
    (row number from 1, term, column a-d). Rows replace those of an earlier call by rowid,
    and only this call's rows are read: no statement to empty the table."""
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT OR REPLACE INTO temp.search_scratch (rowid, a, b, c, d) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(n, *texts) for n, texts in enumerate(rows, 1)],
        )
        cursor.execute(
            "SELECT doc, term, col FROM temp.search_scratch_terms WHERE doc BETWEEN 1 AND %s",
            [len(rows)],
        )
        return cursor.fetchall()


def _fts5_terms(kind: SearchKind, texts: dict[object, dict[str, str]]) -> dict[object, Terms]:
    """SQLite: the terms FTS5 makes of each row's texts (pk -> weight -> text)."""
    pks = list(texts)
    found: dict[object, Terms] = {pk: {} for pk in pks}
    if not pks:
        return found
    weights: dict[tuple[int, str], set[str]] = {}
    rows = [tuple(texts[pk].get(w, "") or "" for w in "ABCD") for pk in pks]
    for doc, term, col in _fts5_tokenized(rows):
        weights.setdefault((doc, term), set()).add(_COLUMN_WEIGHT[col])
    for (doc, term), found_weights in weights.items():
        found[pks[doc - 1]][term] = _flags(kind, found_weights)
    return found


# --- what a search depends on -------------------------------------------------------------


def query_terms(words: list[str]) -> dict[str, list[str]]:
    """Each word of a query as the index's terms (stemmed by the database; none for a word
    PostgreSQL leaves out, such as "the")."""
    words = list(dict.fromkeys(words))
    if not words:
        return {}
    found: dict[str, list[str]] = {word: [] for word in words}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w, tsvector_to_array(to_tsvector(%s, w)) FROM unnest(%s::text[]) w",
                [FTS_CONFIG, words],
            )
            for word, terms in cursor.fetchall():
                found[word] = list(terms or [])
        return found
    for doc, term, _col in _fts5_tokenized([(word, "", "", "") for word in words]):
        found[words[doc - 1]].append(term)
    return found


def search_depends_on(parsed: ParsedQuery, title_key: str, *, titles: Iterable[str]) -> bool:
    """Note what a search for `parsed` shows (its terms, the titles starting with its
    `title_key`, every title of the kinds named in `titles`); False when the terms cannot
    say it (a phrase), and the caller must follow every write of the kinds searched."""
    clauses = [clause for group in parsed.groups for clause in group]
    if any(clause.is_phrase for clause in clauses):
        return False
    if not dependencies_wanted():  # not being cached (a signed-in reader): no query
        return True
    terms = query_terms([word for clause in clauses for word in clause.words])
    tags = {SEARCH_ALL}
    for clause in clauses:
        for term in terms[clause.words[0]]:
            tags.add(word_tag(term))
            if clause.prefix:
                tags.add(_query_prefix_tag(term))
    if title_key:
        tags.add(title_tag(title_key[:PREFIX_TAG_CHARS]))
    tags.update(titles_tag(kind_name) for kind_name in titles)
    depends_on(*tags)
    return True
