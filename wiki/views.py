"""Public pages for the wiki, the home page and tags: bind input, call a selector, render."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from taggit.models import Tag

from core.filters import filter_options_response
from core.page_cache import cache_depends_on_kinds, cache_depends_on_lists
from core.pagination import filtered_list_context, paginate
from ratings.selectors import rating_history
from sources.models import Source, TaggedSource, Venue

from . import selectors
from .filters import WikiPageFilter
from .models import Citation, TaggedPage, WikiPage


@cache_depends_on_lists(Source, Venue, WikiPage)
def home(request):
    return render(request, "wiki/home.html", {"summary": selectors.home_summary()})


# Source: each row shows the share of its sources rated 4-5.
@cache_depends_on_lists(WikiPage, Citation, Source, text_params=("q",))
def page_list(request):
    filterset = WikiPageFilter(request.GET, queryset=selectors.wiki_page_list_annotated())
    return render(request, "wiki/page_list.html", filtered_list_context(request.GET, filterset))


@require_safe
@cache_control(public=True, max_age=60)
@cache_depends_on_kinds(Tag, TaggedPage)  # a tag's name or its first use on a page
def page_filter_options(request, name: str):
    """Suggestions for the page list's tag box while a reader types, as JSON."""
    return filter_options_response(request, WikiPageFilter, name)


def page_detail(request, slug: str):
    try:
        rendered = selectors.wiki_page_detail(slug)
    except WikiPage.DoesNotExist:
        raise Http404("No page has this slug.") from None
    return render(
        request,
        "wiki/page_detail.html",
        {
            "rendered": rendered,
            "page": rendered.page,
            "connections": selectors.wiki_page_connections(rendered.page),
            "history": rating_history(rendered.page),
        },
    )


@cache_depends_on_lists(Tag, TaggedSource, TaggedPage)
def tag_list(request):
    return render(request, "wiki/tag_list.html", {"tags": selectors.tag_list_counted()})


@cache_depends_on_lists(Source, WikiPage)
def tag_detail(request, slug: str):
    try:
        tag, sources, pages = selectors.tag_detail(slug)
    except Tag.DoesNotExist:
        raise Http404("No tag has this slug.") from None
    return render(
        request,
        "wiki/tag_detail.html",
        {
            "tag": tag,
            "sources": paginate(request.GET, sources),
            "pages": paginate(request.GET, pages, param="pages_page"),
        },
    )
