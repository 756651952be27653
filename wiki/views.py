"""Public pages for the wiki, the home page and tags: bind input, call a selector, render."""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from sources.filters import SourceFilter, VenueFilter
from sources.models import Source, Venue
from sources.pagination import PAGE_SIZES, filtered_list_context, page_size_from, paginate
from sources.search import (
    SEARCH_CAP,
    capped,
    capped_count,
    highlight,
    query_parse,
    search_filter,
    search_suggestion,
    search_top_hit,
    snippet_for,
)
from sources.selectors import source_list_annotated, venue_list_annotated

from . import selectors
from .filters import WikiPageFilter
from .forms import RatingReportForm
from .models import WikiPage
from .moderation import rating_history, rating_report_create


def home(request):
    return render(request, "wiki/home.html", {"summary": selectors.home_summary()})


SEARCH_TABS = {
    "sources": (_("Sources"), SourceFilter, source_list_annotated),
    "pages": (_("Wiki pages"), WikiPageFilter, selectors.wiki_page_list_annotated),
    "venues": (_("Venues"), VenueFilter, venue_list_annotated),
}


# Where an exact title is looked for first: what a reader names is most often a page.
TOP_HIT_KINDS = ("pages", "venues", "sources")


def search(request):
    """Sources, pages and venues matching `q`, one kind at a time, with that kind's filters."""
    text = request.GET.get("q", "")
    kind = request.GET.get("kind")
    kind = kind if kind in SEARCH_TABS else "sources"
    tabs = [
        {
            "kind": name,
            "label": label,
            "count": capped_count(search_filter(base(), name, text)) if text.strip() else 0,
        }
        for name, (label, _filter, base) in SEARCH_TABS.items()
    ]
    top_hit = search_top_hit(text, TOP_HIT_KINDS) if text.strip() else None
    if top_hit is not None and request.GET.get("go"):
        return redirect(top_hit.record.get_absolute_url())
    suggestion = None
    if text.strip() and not any(tab["count"] for tab in tabs):
        # Nothing matches every word: offer the most similar title of any kind.
        suggestion = search_suggestion(text, SEARCH_TABS)
    if text.strip() and "kind" not in request.GET:
        # Open the top hit's kind, else the first kind with results, else the suggestion's.
        fallback = suggestion.kind if suggestion else kind
        first = next((tab["kind"] for tab in tabs if tab["count"]), fallback)
        kind = top_hit.kind if top_hit else first
    _label, filter_class, base = SEARCH_TABS[kind]
    # The filters' own text box searches exactly; here a typo may find similar titles.
    data = request.GET.copy()
    data.pop("q", None)
    filterset = filter_class(
        data,
        queryset=search_filter(base(), kind, text, fuzzy=True),
        searching=bool(text.strip()),
    )
    filterset.form.fields.pop("q", None)  # the query travels in hidden fields instead
    context = {
        "hidden_fields": [("q", text), ("kind", kind)],
        "filter": filterset,
        "page_obj": paginate(request.GET, capped(filterset.qs)),
        "page_sizes": PAGE_SIZES,
        "page_size": page_size_from(request.GET),
        "cap": SEARCH_CAP,
    }
    parsed = query_parse(text)
    words = parsed.positive_words()
    results = [
        {
            "object": obj,
            "title": highlight(str(obj), words, width=500),
            "snippet": snippet_for(obj, kind, parsed),
        }
        for obj in context["page_obj"].object_list
    ]
    context.update(
        {
            "q": text,
            "kind": kind,
            "tabs": tabs,
            "results": results,
            "suggestion": suggestion,
            "top_hit": top_hit.record if top_hit and top_hit.kind == kind else None,
        }
    )
    return render(request, "wiki/search.html", context)


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


REPORT_BODY_MAX = 16_384  # bytes: far more than the form's fields allow, far less than abuse
REPORT_TARGETS = {"venue": (Venue, "slug"), "source": (Source, "pk"), "page": (WikiPage, "slug")}


def client_address(request) -> str:
    """Return the client's address; behind a proxy, the one the proxy saw (see README)."""
    if settings.CREDENCE_CLIENT_IP_HEADER:
        forwarded = request.META.get(settings.CREDENCE_CLIENT_IP_HEADER, "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def report_allowed(request) -> bool:
    """Count a report from this client; tell whether it is within the hourly limit."""
    key = f"rating-report:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= settings.CREDENCE_REPORTS_PER_HOUR


def rating_report(request, kind: str, ref: str):
    model, key = REPORT_TARGETS.get(kind, (None, None))
    if model is None:
        raise Http404("Ratings are reported on venues, sources and pages.")
    target = get_object_or_404(model, **{key: ref})
    if request.method == "POST" and len(request.body) > REPORT_BODY_MAX:
        form = RatingReportForm()
        notice = _("The report is too long; shorten it and send it again.")
        return _report_page(request, form, target, notice, status=413)
    form = RatingReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not report_allowed(request):
            notice = _("Too many reports from your connection: try again in an hour.")
            return _report_page(request, form, target, notice, status=429)
        if not form.is_spam():
            rating_report_create(
                target=target,
                what=form.cleaned_data["what"],
                why=form.cleaned_data["why"],
                email=form.cleaned_data["email"],
            )
        messages.success(request, _("Thank you: the moderators will look at your report."))
        return redirect(target)
    return _report_page(request, form, target)


def _report_page(request, form, target, notice="", status=200):
    return render(
        request,
        "wiki/rating_report.html",
        {"form": form, "target": target, "notice": notice},
        status=status,
    )
