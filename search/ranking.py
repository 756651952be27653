"""How search results are ranked: one rule, the same on PostgreSQL and SQLite, for every kind.

A result's tier says how it matches the query, best first:

1. EXACT: its title (a venue's name) is the query, ignoring case, accents and punctuation;
2. PREFIX: its title starts with the query;
3. TITLE: every word of the query is in its title;
4. SIMILAR: its title is spelled nearly like the query (trigram similarity at least 0.3),
   offered only when fewer than FEW_MATCHES records of its kind match every word: typos;
5. DESCRIBED: every word is in its title, summary or description (a source's abstract);
6. BODY: every word is somewhere in it (a page's body, a source's review or key points).

Within a tier, results are ordered by their merit on one scale for every kind (a page's
quality 0-100; a source's or venue's credibility level times 20; unrated is 0), then by
date, newest first (a source's publication, a page's last edit, a venue's last change);
similar titles by similarity first. Among exact titles, and among titles equally like a
misspelt query, a venue (what the name names) comes before a page about it, and a page
before a source. Kinds are merged on that one scale, so the All view and a kind's own tab
order that kind's results alike.

Why it is fast: each tier's head is read in the order of an index on (merit, date, id),
stopping after the rows a page needs, instead of ranking every row that mentions a common
word (see `_tie_order` and `SearchRankedModel.search_title_vector` for what keeps
PostgreSQL's planner on that path; PostgreSQL reads the heads of a kind in one UNION).
A row that belongs to several tiers counts in its best; the best N overall are always
among the best N of each tier (a tier's query includes every row of a better tier), so
merging the tiers' heads is exact, not an approximation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from functools import cached_property

from django.contrib.postgres.search import SearchQuery
from django.db import connection, connections
from django.db.models import Case, F, IntegerField, Model, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from core.text import title_key

from .index import (
    FTS_CONFIG,
    KINDS,
    SEARCH_CAP,
    Clause,
    ParsedQuery,
    SearchKind,
    _fts5_match,
    _similar_titles,
    _tsquery,
    capped_count,
    capped_count_sql,
    compiled,
    counts_select,
    query_parse,
)


class Tier(IntEnum):
    BODY = 1
    DESCRIBED = 2
    SIMILAR = 3
    TITLE = 4
    PREFIX = 5
    EXACT = 6


# Fewer records of a kind than this match every word: titles like the query are included.
FEW_MATCHES = 10
# `KindSearch.sizes`' keys: every row matching the words (or starting with the query),
# and the title tier's rows among the first PROBE_ROWS of the ranking order.
MATCHED = "matched"
TITLE_PROBE = "title probe"
# The title tier is walked along the ranking index when at least PROBE_DENSE of the first
# PROBE_ROWS rows in its order are in it, else sorted from the full-text index. One in a
# thousand: a sparser tier would make the walk long, while sorting a denser one can cost
# more than walking it (the full-text index intersects every title with each word: 82 ms
# against 4 ms for two common words seldom together, at 1,000,000 sources).
PROBE_ROWS = 1000
PROBE_DENSE = 1
# The kinds in the order that breaks the last ties (and orders exact titles first).
KIND_ORDER = ("venues", "pages", "sources")
# Within a tier, the order every tier's query reads (indexed: `search_rank_indexes`).
TIE_ORDER = ("-search_merit", "-search_date", "pk")
# The same order, which the index cannot give: for a tier read through the full-text index.
SORTED_ORDER = ((F("search_merit") + 0).desc(), *TIE_ORDER[1:])


@dataclass(frozen=True)
class Hit:
    """One record's place in the ranking."""

    kind: str
    pk: object
    tier: Tier
    merit: int
    day: date
    similarity: float = 0.0

    def sort_key(self) -> tuple:
        kind_index = KIND_ORDER.index(self.kind)
        # Namesakes: what the name names first (venue, page, source), among exact titles and
        # among titles spelled alike (equally similar to a misspelt query).
        return (
            -self.tier,
            -self.similarity,
            kind_index if self.tier in (Tier.EXACT, Tier.SIMILAR) else 0,
            -self.merit,
            -self.day.toordinal(),
            kind_index,
            self.pk,
        )


def _words_match(kind: SearchKind, parsed: ParsedQuery, weights: str = "") -> Q:
    """The rows with every word of the query (in these weights, when given)."""
    if connection.vendor == "postgresql":
        if weights == "A":  # the title: its own vector, whose statistics are the titles'
            query = SearchQuery(_tsquery(parsed), search_type="raw", config=FTS_CONFIG)
            return Q(search_title_vector=query)
        query = SearchQuery(_tsquery(parsed, weights), search_type="raw", config=FTS_CONFIG)
        return Q(search_vector=query)
    table = kind.fts_table
    matching = RawSQL(
        f"SELECT ref FROM {table} WHERE {table} MATCH %s", [_fts5_match(parsed, weights)]
    )
    return Q(pk__in=matching)


def query_title_key(parsed: ParsedQuery) -> str:
    """The key an exact or prefix title compares with: only for a plain list of words (no
    alternatives or exclusions, which a title alone cannot honour)."""
    if len(parsed.groups) != 1 or any(c.negated for c in parsed.groups[0]):
        return ""
    return title_key(" ".join(parsed.positive_words()))


class KindSearch:
    """One kind's results for a query within a queryset (a tab's filters applied).

    Every method runs a fixed number of queries, whatever the number of results.
    """

    def __init__(self, kind_name: str, queryset: QuerySet, text: str):
        self.name = kind_name
        self.kind = KINDS[kind_name]
        self.parsed = query_parse(text)
        self.key = query_title_key(self.parsed)
        self.queryset = queryset
        self.unordered = queryset.order_by()

    @property
    def is_empty(self) -> bool:
        return self.parsed.is_empty

    @cached_property
    def matched_condition(self) -> Q:
        condition = _words_match(self.kind, self.parsed)
        if self.key:
            condition |= Q(search_title__startswith=self.key)
        return condition

    @cached_property
    def matched_count(self) -> int:
        """How many rows match every word (or start with the query), up to SEARCH_CAP."""
        if self.is_empty:
            return 0
        return self.sizes[MATCHED]

    @cached_property
    def similar(self) -> dict:
        """Titles like the query (pk -> similarity) when few rows match: typos forgiven."""
        if self.is_empty or self.matched_count >= FEW_MATCHES:
            return {}
        similar = dict(_similar_titles(self.kind, self.parsed))
        excluded = [c for group in self.parsed.groups for c in group if c.negated]
        if similar and excluded:  # a -word excludes a similar title's record too
            any_excluded = ParsedQuery(groups=[[Clause(c.words)] for c in excluded])
            kept = self.unordered.filter(pk__in=list(similar)).exclude(
                _words_match(self.kind, any_excluded)
            )
            similar = {pk: similar[pk] for pk in kept.values_list("pk", flat=True)}
        return similar

    def results(self) -> QuerySet:
        """Every result, in the queryset's own order: for sorts other than relevance."""
        if self.is_empty:
            return self.queryset.none()
        return self.queryset.filter(self._condition())

    def _condition(self) -> Q:
        return (
            self.matched_condition | Q(pk__in=list(self.similar))
            if self.similar
            else self.matched_condition
        )

    @cached_property
    def count(self) -> int:
        if not self.similar:
            return self.matched_count
        return capped_count(self.unordered.filter(self._condition()))

    def _tiers(self, *, titles_only: bool = False) -> list[tuple[Tier, Q]]:
        tiers = []
        if self.key:
            tiers += [
                (Tier.EXACT, Q(search_title=self.key)),
                (Tier.PREFIX, Q(search_title__startswith=self.key)),
            ]
        tiers.append((Tier.TITLE, _words_match(self.kind, self.parsed, "A")))
        if not titles_only:
            tiers += [
                (Tier.DESCRIBED, _words_match(self.kind, self.parsed, self.kind.described)),
                (Tier.BODY, _words_match(self.kind, self.parsed)),
            ]
        return tiers

    def tier_expression(self) -> Case:
        """Each row's tier as SQL, for a list ordered by relevance (`by_relevance`)."""
        whens = [When(condition, then=Value(int(tier))) for tier, condition in self._tiers()]
        return Case(*whens, default=Value(int(Tier.BODY)), output_field=IntegerField())

    @cached_property
    def sizes(self) -> dict:
        """How many rows match the words (`MATCHED`), up to SEARCH_CAP, and how many rows
        of the title tier are among the first PROBE_ROWS of the ranking order
        (`TITLE_PROBE`; 0, not probed, under SEARCH_CAP matches): one query."""
        return self._count(with_matched=True)

    @cached_property
    def title_probe(self) -> int:
        """The title tier's rows among the first PROBE_ROWS of the ranking order."""
        sizes = self.sizes if "sizes" in self.__dict__ else self._count(with_matched=False)
        return sizes[TITLE_PROBE]

    def _count(self, *, with_matched: bool) -> dict:
        probe_sql, probe_params = self._title_probe_sql()
        if not with_matched:
            (probe,) = counts_select([(probe_sql, probe_params)], using=self.unordered.db)
            return {TITLE_PROBE: probe}
        # Under SEARCH_CAP matches every tier is sorted anyway: the probe is not run then
        # (a CASE runs its subquery only when its branch is taken).
        count_sql, count_params = capped_count_sql(self.unordered.filter(self.matched_condition))
        sql = (
            f"SELECT m.n, CASE WHEN m.n >= %s THEN ({probe_sql}) ELSE 0 END "
            f"FROM (SELECT ({count_sql}) AS n) m"
        )
        with connections[self.unordered.db].cursor() as cursor:
            cursor.execute(sql, [SEARCH_CAP, *probe_params, *count_params])
            matched, probe = cursor.fetchone()
        return {MATCHED: matched, TITLE_PROBE: probe}

    def _title_probe_sql(self) -> tuple[str, list]:
        """SQL counting the title tier's rows among the first PROBE_ROWS of the ranking
        order: a fixed cost (PROBE_ROWS rows read along the index), whatever the word."""
        head = self.unordered.order_by(*TIE_ORDER)
        if connection.vendor == "postgresql":
            sql, params = compiled(head.values("search_title_vector")[:PROBE_ROWS])
            return (
                f"SELECT COUNT(*) FROM ({sql}) probe "
                "WHERE probe.search_title_vector @@ to_tsquery(%s::regconfig, %s)",
                [*params, FTS_CONFIG, _tsquery(self.parsed)],
            )
        sql, params = compiled(head.values("pk")[:PROBE_ROWS])
        titled = self.unordered.filter(_words_match(self.kind, self.parsed, "A")).values("pk")
        titled_sql, titled_params = compiled(titled)
        return (
            f"SELECT COUNT(*) FROM ({sql}) probe WHERE probe.pk IN ({titled_sql})",
            [*params, *titled_params],
        )

    def _tie_order(self, tier: Tier, titles_only: bool) -> tuple:
        """The tie order, as the index reads it, or (when the tier is sparse) as a sort.

        Reading a tier's head along the (merit, date, id) index is what keeps a common word
        fast: the walk stops after the rows a page needs. But for a tier with few rows the
        walk passes every row of the table, and the planner cannot tell: a word missing
        from the titles' statistics is guessed at thousands of rows in a million (2 s at
        1,000,000 sources for a rare word, no title having it). Counting the title tier
        would cost as much as reading it (the full-text index gives every match before a
        limit applies: 12 ms for a middling word at 1,000,000). So the title tier is
        probed instead (`title_probe`, a fixed cost): with PROBE_DENSE of its rows among
        the first PROBE_ROWS of the order, the walk finds a page's rows soon enough;
        with none, the tier is ordered in a way the index cannot give, so the planner
        takes its rows through the full-text index and sorts them. The other tiers go by
        the count of every match: fewer than SEARCH_CAP rows are sorted (exact and prefix
        titles, which suggestions read uncounted, have the title index's own statistics;
        the summary tier is walked: probing it would recheck each row's weights).
        """
        if not titles_only and self.matched_count < SEARCH_CAP:
            return SORTED_ORDER  # every tier is small
        if tier == Tier.TITLE and self.title_probe < PROBE_DENSE:
            return SORTED_ORDER
        return TIE_ORDER

    def _tier_heads(self, n: int, titles_only: bool) -> Iterable[tuple]:
        """Each tier's best `n` rows as (pk, merit, date, tier): one query per tier, or
        where the database can order and limit each part of a UNION (PostgreSQL), one."""
        heads = [
            self.unordered.filter(condition)
            .annotate(search_tier=Value(int(tier), output_field=IntegerField()))
            .order_by(*self._tie_order(tier, titles_only))
            .values_list("pk", "search_merit", "search_date", "search_tier")[:n]
            for tier, condition in self._tiers(titles_only=titles_only)
        ]
        if connection.features.supports_slicing_ordering_in_compound:
            return heads[0].union(*heads[1:], all=True)
        return [row for head in heads for row in head]

    def top(self, n: int, *, titles_only: bool = False) -> list[Hit]:
        """The best `n` results, by the ranking rule: each tier's head, and similar titles."""
        if self.is_empty or n <= 0:
            return []
        best: dict[object, Hit] = {}

        def add(tier: Tier, pk, merit: int, day: date, similarity: float = 0.0) -> None:
            if pk not in best or best[pk].tier < tier:
                best[pk] = Hit(self.name, pk, tier, merit, day, similarity)

        for pk, merit, day, tier in self._tier_heads(n, titles_only):
            add(Tier(tier), pk, merit, day)
        if not titles_only and self.similar:  # suggestions need neither count nor similar
            rows = self.unordered.filter(pk__in=list(self.similar))
            for pk, merit, day in rows.values_list("pk", "search_merit", "search_date"):
                add(Tier.SIMILAR, pk, merit, day, self.similar[pk])
        return sorted(best.values(), key=Hit.sort_key)[:n]


def search_filter(queryset: QuerySet, kind_name: str, text: str) -> QuerySet:
    """Narrow a list's queryset of one kind to the rows matching `text` (every word, or a
    title starting with it), annotated with their tier as `search_rank`. An empty query
    leaves it as it is. Lists search exactly: no similar titles."""
    search = KindSearch(kind_name, queryset, text)
    if search.is_empty:
        return queryset.none() if (text or "").strip() else queryset  # only exclusions
    return queryset.filter(search.matched_condition).annotate(search_rank=search.tier_expression())


def by_relevance(queryset: QuerySet) -> QuerySet:
    """A `search_filter` result in the ranking rule's order, for lists sorted by relevance.

    Unlike the search page, which reads each tier's head, this ranks every match: a list
    with its filters can be any subset, and its pages go on past the first."""
    return queryset.order_by(F("search_rank").desc(), *TIE_ORDER)


@dataclass(frozen=True)
class Result:
    kind: str
    object: Model
    hit: Hit

    @property
    def is_exact(self) -> bool:
        return self.hit.tier == Tier.EXACT


def _fetch(hits: list[Hit], querysets: dict[str, QuerySet]) -> list[Result]:
    """The records of these hits, in their order: one query per kind present."""
    pks: dict[str, list] = {}
    for hit in hits:
        pks.setdefault(hit.kind, []).append(hit.pk)
    records = {
        (kind, obj.pk): obj
        for kind, kind_pks in pks.items()
        for obj in querysets[kind].filter(pk__in=kind_pks)
    }
    return [
        Result(hit.kind, records[(hit.kind, hit.pk)], hit)
        for hit in hits
        if (hit.kind, hit.pk) in records
    ]


class RankedResults:
    """The results of some kinds merged by the ranking rule, as a sequence a Paginator pages:
    counting and slicing each run a fixed number of queries."""

    def __init__(self, searches: list[KindSearch], querysets: dict[str, QuerySet]):
        self.searches = searches
        self.querysets = querysets
        self._hits: list[Hit] = []
        self._asked = 0

    def count(self) -> int:
        return sum(search.count for search in self.searches)

    def __len__(self) -> int:
        return self.count()

    def hits(self, n: int) -> list[Hit]:
        """The best `n` hits of every kind merged (remembered for smaller `n`)."""
        n = min(n, SEARCH_CAP * len(self.searches))
        if n > self._asked:
            merged = [hit for search in self.searches for hit in search.top(n)]
            self._hits = sorted(merged, key=Hit.sort_key)[:n]
            self._asked = n
        return self._hits[:n]

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop if index.stop is not None else SEARCH_CAP
            return _fetch(self.hits(stop)[start:stop], self.querysets)
        found = self[index : index + 1]
        if not found:
            raise IndexError(index)
        return found[0]

    def top_hit(self) -> Result | None:
        """The first result when its title is the query (what `go` opens)."""
        hits = self.hits(max(self._asked, 1))
        if hits and hits[0].tier == Tier.EXACT:
            return _fetch(hits[:1], self.querysets)[0]
        return None


def title_probes(searches: list[KindSearch]) -> None:
    """Probe the title tier of several kinds in one query (`KindSearch.title_probe`)."""
    searches = [search for search in searches if not search.is_empty]
    if not searches:
        return
    parts = [search._title_probe_sql() for search in searches]
    for search, probe in zip(searches, counts_select(parts, using=searches[0].unordered.db),
                             strict=True):  # fmt: skip
        search.__dict__["title_probe"] = probe


def suggestion_fields(kind: SearchKind) -> list[str]:
    """The fields a suggestion needs: the title, and the slug where the URL uses it."""
    names = {field.name for field in kind.model._meta.get_fields()}
    return ["pk", kind.title_field, *(["slug"] if "slug" in names else [])]


def search_suggest(text: str, limit: int = 8) -> list[Result]:
    """Titles across kinds for a query being typed: exact, then prefix, then every word in
    the title, by the ranking rule. One query probing every kind's title tier (to choose
    how it is read), the heads of each kind (one query on PostgreSQL, three on SQLite),
    then one query per kind found."""
    searches = [KindSearch(name, KINDS[name].model._default_manager.all(), text) for name in KINDS]
    title_probes(searches)
    hits = sorted(
        (hit for search in searches for hit in search.top(limit, titles_only=True)),
        key=Hit.sort_key,
    )[:limit]
    querysets = {
        name: kind.model._default_manager.only(*suggestion_fields(kind))
        for name, kind in KINDS.items()
    }
    return _fetch(hits, querysets)
