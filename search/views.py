"""The search page and the header box's suggestions: bind input, call a selector, render."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from core.pagination import PAGE_SIZES, page_size_from

from .index import SEARCH_CAP
from .selectors import search_page
from .suggestions import HtmlSafeJSONEncoder, suggestion_limit_from, suggestion_list


def search(request):
    """Every kind ranked together (All), or one kind with its filters; `go` opens an exact title."""
    page = search_page(request.GET)  # notes what the page depends on
    if request.GET.get("go") and page.go_to:
        return redirect(page.go_to)
    context = {
        "q": page.text,
        "kind": page.kind,
        "tabs": page.tabs,
        "results": page.results,
        "page_obj": page.page_obj,
        "top_hit": page.top_hit.object if page.top_hit else None,
        "suggestion": page.suggestion,
        "filter": page.filterset,
        "hidden_fields": [("q", page.text), ("kind", page.kind)],
        "page_sizes": PAGE_SIZES,
        "page_size": page_size_from(request.GET),
        "cap": SEARCH_CAP,
        "capped": page.capped,
    }
    return render(request, "search/search.html", context)


# The same for every reader; browsers may keep them a minute (an edit shows after that, while
# the server-side entries follow every write of a searchable kind at once).
@require_safe
@cache_control(public=True, max_age=60)
def search_suggestions(request):
    """Titles of every kind for the header box while a reader types `q`, as JSON."""
    text = request.GET.get("q", "")
    suggestions = suggestion_list(text, limit=suggestion_limit_from(request.GET))
    return JsonResponse({"query": text, "suggestions": suggestions}, encoder=HtmlSafeJSONEncoder)
