"""The search page's reads: every kind ranked together (All) or one kind with its filters.

The view binds the request and renders; this module decides which results, in what order
(`search.ranking`), with which counts, top hit and "Did you mean".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.page_cache import depends_on_kinds
from core.pagination import paginate
from core.text import title_key

from .filters import RELEVANCE
from .freshness import search_depends_on
from .index import (
    KINDS,
    SEARCH_CAP,
    capped,
    highlight,
    query_parse,
    searchable_models,
    snippet_for,
)
from .ranking import FEW_MATCHES, KindSearch, RankedResults, Result

ALL = "all"


@dataclass(frozen=True)
class SearchKindPage:
    """How the search page shows one kind: its tab, its label on a result, the list filters
    its tab takes (over the list's queryset), and the records a result shows: only what
    the result line needs (no list counts: they cost a scan of every source)."""

    label: str
    one: str
    filter_class: type
    list_queryset: Callable[[], QuerySet]
    shown: Callable[[], QuerySet]
    position: int  # the tab's place among the kinds' tabs


# name -> how the search page shows the kind; apps register theirs in AppConfig.ready().
SEARCH_KINDS: dict[str, SearchKindPage] = {}


def search_page_kind_register(name: str, kind: SearchKindPage) -> None:
    """Show the indexed kind `name` on the search page (a tab, results, its list filters)."""
    SEARCH_KINDS[name] = kind
    ordered = sorted(SEARCH_KINDS.items(), key=lambda item: item[1].position)
    SEARCH_KINDS.clear()
    SEARCH_KINDS.update(ordered)


@dataclass
class Suggestion:
    """The title most like a query that few records match ("Did you mean ...?")."""

    record: Model
    nothing_matched: bool


@dataclass
class SearchPage:
    text: str
    kind: str
    tabs: list[dict]
    page_obj: object = None
    results: list[dict] = field(default_factory=list)
    filterset: object = None
    top_hit: Result | None = None
    suggestion: Suggestion | None = None

    @property
    def capped(self) -> bool:
        """Whether the open tab's results stop at SEARCH_CAP (more match)."""
        if self.page_obj is None:
            return False
        if self.kind == ALL:
            return self.tabs[0]["capped"]
        return self.page_obj.paginator.count >= SEARCH_CAP

    @property
    def go_to(self) -> str | None:
        """Where `go` leads: the record whose title is the query, if one is."""
        return self.top_hit.object.get_absolute_url() if self.top_hit else None


def search_page(params: QueryDict) -> SearchPage:
    """Build the search page for these request parameters (q, kind, filters, sort, page)."""
    text = params.get("q", "")
    kind = params.get("kind")
    kind = kind if kind in SEARCH_KINDS else ALL
    # Every row of each kind: the All view and the tabs' counts need no list annotations.
    searches = {
        name: KindSearch(name, KINDS[name].model.objects.all(), text) for name in SEARCH_KINDS
    }
    tabs = [
        {
            "kind": name,
            "label": SEARCH_KINDS[name].label,
            "count": searches[name].count,
            "capped": searches[name].count >= SEARCH_CAP,
        }
        for name in SEARCH_KINDS
    ]
    all_tab = {
        "kind": ALL,
        "label": _("All"),
        "count": sum(tab["count"] for tab in tabs),
        "capped": any(tab["capped"] for tab in tabs),
    }
    tabs.insert(0, all_tab)
    page = SearchPage(text=text, kind=kind, tabs=tabs)
    if not text.strip():
        return page
    if kind == ALL:
        ranked = RankedResults(list(searches.values()), _shown())
        page.page_obj = paginate(params, ranked)
        page.top_hit = ranked.top_hit()
    else:
        _one_kind(page, params)
    page.suggestion = _suggestion(list(searches.values()))
    _depends_on(page, list(searches.values()))
    parsed = query_parse(text)
    words = parsed.positive_words()
    page.results = [
        {
            "object": result.object,
            "kind": result.kind,
            "kind_label": SEARCH_KINDS[result.kind].one,
            "title": highlight(str(result.object), words, width=500),
            "snippet": snippet_for(result.object, result.kind, parsed),
            "is_top_hit": page.top_hit is not None and result.object == page.top_hit.object,
        }
        for result in _as_results(page.page_obj.object_list, page.kind)
    ]
    return page


def _depends_on(page: SearchPage, searches: list[KindSearch]) -> None:
    """Note what the page's answer changes with (`search.freshness`): on the All tab, the
    query's words, titles starting with it, and every title when it offers titles spelled
    like it; a tab of one kind filters by list fields, so it follows every write of the
    kinds searched, as a search for a phrase does."""
    search = searches[0]
    titles = [one.name for one in searches if one.matched_count < FEW_MATCHES]
    if page.kind != ALL or not search_depends_on(search.parsed, search.key, titles=titles):
        depends_on_kinds(*searchable_models())


def _shown() -> dict[str, QuerySet]:
    return {name: kind.shown() for name, kind in SEARCH_KINDS.items()}


def _one_kind(page: SearchPage, params: QueryDict) -> None:
    """One kind's tab: its filters and sorts, results by relevance unless another sort."""
    kind = SEARCH_KINDS[page.kind]
    data = params.copy()
    data.pop("q", None)
    filterset = kind.filter_class(data, queryset=kind.list_queryset(), searching=True)
    filterset.form.fields.pop("q", None)  # the query travels in hidden fields instead
    filtered = filterset.qs
    search = KindSearch(page.kind, filtered, page.text)
    sort = filterset.form.cleaned_data.get("sort") if filterset.form.is_valid() else ""
    if sort in ("", None, RELEVANCE):
        ranked = RankedResults([search], _shown())
        page.page_obj = paginate(params, ranked)
        page.top_hit = ranked.top_hit()
    else:
        page.page_obj = paginate(params, capped(search.results()))
    page.filterset = filterset


def _as_results(object_list, kind: str) -> list[Result]:
    """Ranked pages hold Results; other sorts hold the records of one kind."""
    return [item if isinstance(item, Result) else Result(kind, item, None) for item in object_list]


def _suggestion(searches: list[KindSearch]) -> Suggestion | None:
    """When few records match every word, the title of any kind most like the query, unless
    it is what was typed or already matches the words. One query, for that record."""
    matched = sum(search.matched_count for search in searches)
    if matched >= FEW_MATCHES:
        return None
    best = max(
        ((sim, search, pk) for search in searches for pk, sim in search.similar.items()),
        default=None,
        key=lambda row: row[0],
    )
    if best is None:
        return None
    _sim, search, pk = best
    # A title that already matches the words is a result, not a correction.
    manager = KINDS[search.name].model._default_manager
    record = manager.filter(pk=pk).exclude(search.matched_condition).first()
    if record is None or title_key(str(record)) == search.key:
        return None
    return Suggestion(record=record, nothing_matched=matched == 0)
