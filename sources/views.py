"""Public pages for sources and venues: bind input, call a selector, render."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from taggit.models import Tag

from core.filters import filter_options_response
from core.page_cache import cache_depends_on_kinds, cache_depends_on_lists, depends_on_children
from core.pagination import filtered_list_context, paginate
from ratings.selectors import rating_history

from . import selectors
from .filters import SourceFilter, VenueFilter
from .models import Source, TaggedSource, Venue
from .snapshots import snapshot_preview

# Lists and counts change with a write of the kinds they show or count that reaches their
# lists (any write, when filtered by text); a detail page follows the records it loads,
# and their children through their foreign keys (pages are cached by tag:
# core/page_cache.py).


@cache_depends_on_lists(Source, Venue, "wiki.Citation", text_params=("q", "has_summary"))
def source_list(request):
    filterset = SourceFilter(request.GET, queryset=selectors.source_list_annotated())
    return render(
        request, "sources/source_list.html", filtered_list_context(request.GET, filterset)
    )


@require_safe
@cache_control(public=True, max_age=60)
@cache_depends_on_kinds(Venue, Tag, TaggedSource)  # a name or a tag's first use anywhere
def source_filter_options(request, name: str):
    """Suggestions for the source list's venue or tag box while a reader types, as JSON."""
    return filter_options_response(request, SourceFilter, name)


def source_detail(request, ref: str):
    try:
        source = selectors.source_detail(ref)
    except Source.DoesNotExist:
        # A stable id, or the id of a source merged into another, leads to the source.
        target = selectors.source_redirect_target(ref)
        if target is None:
            raise Http404("No source has this id or stable id.") from None
        return redirect(target, permanent=True)
    latest, shown = selectors.snapshot_shown(source)
    return render(
        request,
        "sources/source_detail.html",
        {
            "source": source,
            "history": rating_history(source),
            "latest_snapshot": latest,
            "shown_snapshot": shown,
            "preview": snapshot_preview(shown) if shown else None,
        },
    )


def _source_or_404(source_id: str) -> Source:
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise Http404("No source has this id.")
    return source


def source_snapshot_list(request, ref: str):
    source = _source_or_404(ref)
    page = paginate(request.GET, selectors.source_snapshots(source))
    return render(request, "sources/snapshot_list.html", {"source": source, "page_obj": page})


def source_snapshot_detail(request, ref: str, pk: int):
    source = _source_or_404(ref)
    snapshot = source.snapshots.filter(pk=pk).first()
    if snapshot is None:
        raise Http404("This source has no such snapshot.")
    # ?from=&to= marks a passage (a claim check links to where the source says it).
    passage = selectors.snapshot_text_parts(
        snapshot.text, request.GET.get("from"), request.GET.get("to")
    )
    return render(
        request,
        "sources/snapshot_detail.html",
        {"source": source, "snapshot": snapshot, "passage": passage},
    )


@cache_depends_on_lists(Venue, Source, text_params=("q",))
def venue_list(request):
    filterset = VenueFilter(request.GET, queryset=selectors.venue_list_annotated())
    return render(request, "sources/venue_list.html", filtered_list_context(request.GET, filterset))


@cache_depends_on_lists("wiki.Citation")  # the pages citing its sources, counts
def venue_detail(request, slug: str):
    depends_on_children(Source)
    try:
        venue = selectors.venue_detail(slug)
    except Venue.DoesNotExist:
        raise Http404("No venue has this slug.") from None
    sources = paginate(request.GET, selectors.source_list_annotated(venue.sources.all()))
    return render(
        request,
        "sources/venue_detail.html",
        {
            "venue": venue,
            "page_obj": sources,
            "history": rating_history(venue),
        },
    )
