"""The header box's suggestions while a reader types: titles of every kind, as JSON data.

`search.ranking.search_suggest` ranks them; this module shapes them for the
browser and keeps them until a write changes what they find (by the words of the query, as
the search page does: `search.freshness`), so a reader's keystrokes cost the database
nothing once someone has typed the same letters.
"""

from __future__ import annotations

import hashlib

from django.core.serializers.json import DjangoJSONEncoder

from core.page_cache import cached, depends_on_kinds

from .freshness import search_depends_on
from .index import KINDS, query_parse, searchable_models
from .ranking import query_title_key, search_suggest
from .selectors import SEARCH_KINDS

SUGGESTION_LIMIT = 8
# One letter matches too much to help, and would cost a search per keystroke.
SUGGESTION_MIN_LENGTH = 2
# Entries go stale with any write of a searchable kind; this bounds how long unused ones stay.
SUGGESTION_CACHE_SECONDS = 3600


def suggestion_limit_from(params) -> int:
    """Return the number of suggestions asked for in `limit`: at most 8, else 8."""
    try:
        limit = int(params.get("limit", SUGGESTION_LIMIT))
    except (TypeError, ValueError):
        return SUGGESTION_LIMIT
    return limit if 1 <= limit <= SUGGESTION_LIMIT else SUGGESTION_LIMIT


def suggestion_query_normalize(text: str) -> str:
    """Return the query as the ranking reads it: lower case, single spaces, and a final
    space kept (a finished last word matches whole; an unfinished one as a prefix)."""
    normal = " ".join(text.split()).lower()
    return normal + " " if normal and text.endswith(" ") else normal


def suggestion_list(text: str, *, limit: int = SUGGESTION_LIMIT) -> list[dict]:
    """Return up to `limit` titles for a query being typed, best first: from the cache
    when the same query was asked since the last change, else in a fixed number of queries.
    """
    query = suggestion_query_normalize(text)
    if len(query.strip()) < SUGGESTION_MIN_LENGTH:
        return []
    digest = hashlib.sha256(query.encode()).hexdigest()

    def compute() -> list[dict]:
        # Always the full 8, so that every smaller limit is a slice of the same entry (the
        # ranking merges exact heads: the best n are the first n of the best 8).
        # They follow the query's words as the search page does (`search.freshness`), and
        # every title for titles spelled like it.
        parsed = query_parse(query)
        if not search_depends_on(parsed, query_title_key(parsed), titles=list(KINDS)):
            depends_on_kinds(*searchable_models())
        results = search_suggest(query, limit=SUGGESTION_LIMIT)
        return [
            {
                "title": str(result.object),
                "kind": result.kind,
                "kind_label": str(SEARCH_KINDS[result.kind].one),
                "url": result.object.get_absolute_url(),
            }
            for result in results
        ]

    suggestions = cached(f"credence:suggest:{digest}", compute, SUGGESTION_CACHE_SECONDS)
    return suggestions[:limit]


class HtmlSafeJSONEncoder(DjangoJSONEncoder):
    """JSON with `<`, `>` and `&` written as \\u escapes: titles are editors' text, and a
    body without those characters cannot be read as markup by anything that sniffs it or
    pastes it into a page. JSON.parse gives the same strings back."""

    ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

    def encode(self, o) -> str:
        return super().encode(o).translate(self.ESCAPES)
