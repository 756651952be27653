"""Public pages for the wiki, the home page and tags: bind input, call a selector, render."""

from django.http import Http404
from django.shortcuts import render
from taggit.models import Tag

from core.pagination import filtered_list_context, paginate
from ratings.selectors import rating_history

from . import selectors
from .filters import WikiPageFilter
from .models import WikiPage


def home(request):
    return render(request, "wiki/home.html", {"summary": selectors.home_summary()})


def page_list(request):
    filterset = WikiPageFilter(request.GET, queryset=selectors.wiki_page_list_annotated())
    return render(request, "wiki/page_list.html", filtered_list_context(request.GET, filterset))


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
            "history": rating_history(rendered.page),
        },
    )


def tag_list(request):
    return render(request, "wiki/tag_list.html", {"tags": selectors.tag_list_counted()})


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
