"""The read-only API: each view binds its query to a selector the public pages use too."""

from __future__ import annotations

import html

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import strip_tags
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.decorators import api_view, schema
from rest_framework.response import Response
from taggit.models import Tag

from core.page_cache import depends_on_kinds
from ratings.models import RatingDecision
from search.selectors import SEARCH_KINDS, search_page
from sources.filters import SourceFilter, VenueFilter
from sources.models import Source, SourceAuthor, SourceKeyPoint, TaggedSource, Venue, VenueDomain
from sources.selectors import (
    source_list_annotated,
    source_redirect_target,
    venue_list_annotated,
)
from wiki.filters import WikiPageFilter
from wiki.models import Citation, PageStatus, TaggedPage, WikiPage
from wiki.selectors import tag_list_counted, wiki_page_list_annotated

from . import serializers as api
from .filters import CitationFilter, RatingDecisionFilter
from .throttling import rate_display

# Drafts are pages their editors have not published: the API never shows them.
API_PAGE_STATUSES_HIDDEN = (PageStatus.DRAFT,)

RESOURCES = {
    "venues": "api:venue_list",
    "sources": "api:source_list",
    "pages": "api:page_list",
    "citations": "api:citation_list",
    "rating_decisions": "api:rating_decision_list",
    "tags": "api:tag_list",
    "search": "api:search",
    "schema": "api:schema",
    "docs": "api:docs",
}


def api_pages():
    """The pages the API shows: every one but drafts."""
    return WikiPage.objects.exclude(status__in=API_PAGE_STATUSES_HIDDEN)


@extend_schema(
    responses=inline_serializer("ApiRoot", {name: serializers.URLField() for name in RESOURCES}),
    summary="Where each resource lives",
)
@api_view(["GET"])
def api_root(request):
    return Response(
        {name: request.build_absolute_uri(reverse(view)) for name, view in RESOURCES.items()}
    )


class KindsList(generics.ListAPIView):
    """A list that follows every write of the kinds it shows: an API row carries more than
    a list page's columns (a summary, key points), so it cannot wait for list changes only."""

    shows: tuple = ()

    def list(self, request, *args, **kwargs):
        depends_on_kinds(*self.shows)
        return super().list(request, *args, **kwargs)


class FilteredList(KindsList):
    filter_backends = [DjangoFilterBackend]


class VenueList(FilteredList):
    """Publication venues, with their credibility rating; filtered and sorted as the
    venue list is."""

    shows = (Venue, VenueDomain, Source)
    serializer_class = api.VenueSerializer
    filterset_class = VenueFilter

    def get_queryset(self):
        return venue_list_annotated().prefetch_related("domains")


class VenueDetail(generics.RetrieveAPIView):
    serializer_class = api.VenueSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return venue_list_annotated().prefetch_related("domains")


def _sources():
    return source_list_annotated().prefetch_related("authors", "key_points", "tags")


class SourceList(FilteredList):
    """Sources with their effective credibility and where it comes from; filtered and
    sorted as the source list is."""

    shows = (Source, Venue, SourceAuthor, SourceKeyPoint, Tag, TaggedSource, Citation)
    serializer_class = api.SourceSerializer
    filterset_class = SourceFilter

    def get_queryset(self):
        return _sources()


class SourceDetail(generics.RetrieveAPIView):
    """One source. The id of a source merged into another (or a stable id) answers a
    permanent redirect to the source it leads to, as on the site."""

    serializer_class = api.SourceSerializer

    def get_queryset(self):
        return _sources()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            target = source_redirect_target(kwargs["pk"])
            if target is None:
                raise
            return HttpResponsePermanentRedirect(reverse("api:source_detail", args=[target.pk]))


class PageList(FilteredList):
    """Wiki pages with quality, band and subscores (drafts are not shown); filtered and
    sorted as the page list is."""

    shows = (WikiPage, Tag, TaggedPage, Citation)
    serializer_class = api.PageSerializer
    filterset_class = WikiPageFilter

    def get_queryset(self):
        return wiki_page_list_annotated(api_pages()).prefetch_related("tags")


class PageDetail(generics.RetrieveAPIView):
    """One page with its text and its citations in reference order."""

    serializer_class = api.PageDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        citations = Citation.objects.select_related("source").order_by("position", "id")
        return wiki_page_list_annotated(api_pages()).prefetch_related(
            "tags", Prefetch("citations", queryset=citations)
        )


class CitationList(FilteredList):
    """Each page's citations of sources (filter by `page` slug or `source` id)."""

    shows = (Citation, WikiPage, Source)
    serializer_class = api.CitationSerializer
    filterset_class = CitationFilter

    def get_queryset(self):
        return (
            Citation.objects.filter(page__in=api_pages())
            .select_related("page", "source")
            .order_by("id")
        )


class RatingDecisionList(FilteredList):
    """Rating decisions, newest first: what changed, why, and who decided (as readers
    see it)."""

    shows = (RatingDecision, Venue, Source, WikiPage)
    serializer_class = api.RatingDecisionSerializer
    filterset_class = RatingDecisionFilter

    def get_queryset(self):
        return (
            RatingDecision.objects.exclude(page__status__in=API_PAGE_STATUSES_HIDDEN)
            .select_related("venue", "source", "page", "decided_by__profile")
            .order_by("-created_at", "-id")
        )


class TagList(KindsList):
    """Tags on any source or page, most used first."""

    shows = (Tag, TaggedSource, TaggedPage)
    serializer_class = api.TagSerializer

    def get_queryset(self):
        return tag_list_counted()


class TagDetail(generics.RetrieveAPIView):
    serializer_class = api.TagSerializer
    lookup_field = "slug"

    def retrieve(self, request, *args, **kwargs):
        depends_on_kinds(Tag, TaggedSource, TaggedPage)  # its counts
        return super().retrieve(request, *args, **kwargs)

    def get_queryset(self):
        return tag_list_counted()


SEARCH_RESULTS = 25


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, required=True, description="The words to find."),
        OpenApiParameter(
            "kind",
            str,
            enum=list(SEARCH_KINDS) or ["venues", "pages", "sources"],
            description="One kind only (all kinds by default).",
        ),
        OpenApiParameter("page", int, description="Page of results (25 each)."),
    ],
    responses=inline_serializer(
        "SearchResults",
        {
            "query": serializers.CharField(),
            "kind": serializers.CharField(),
            "counts": serializers.DictField(child=serializers.IntegerField()),
            "capped": serializers.BooleanField(),
            "page": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "results": api.SearchResultSerializer(many=True),
        },
    ),
    summary="Search venues, pages and sources as the search page does",
)
@api_view(["GET"])
def search(request):
    params = request.query_params.copy()
    params["per_page"] = str(SEARCH_RESULTS)
    found = search_page(params)
    results = [
        _search_result(request, result)
        for result in found.results
        if not (result["kind"] == "pages" and result["object"].status in API_PAGE_STATUSES_HIDDEN)
    ]
    page_obj = found.page_obj
    next_url = None
    if page_obj is not None and page_obj.has_next():
        next_params = request.query_params.copy()
        next_params["page"] = str(page_obj.next_page_number())
        next_url = request.build_absolute_uri(f"{request.path}?{next_params.urlencode()}")
    return Response(
        {
            "query": found.text,
            "kind": found.kind,
            "counts": {tab["kind"]: tab["count"] for tab in found.tabs},
            "capped": found.capped,
            "page": page_obj.number if page_obj is not None else 1,
            "next": next_url,
            "results": results,
        }
    )


API_DETAIL = {
    "venues": ("api:venue_detail", "slug"),
    "sources": ("api:source_detail", "pk"),
    "pages": ("api:page_detail", "slug"),
}


def _search_result(request, result: dict) -> dict:
    record = result["object"]
    view, lookup = API_DETAIL[result["kind"]]
    return {
        "kind": result["kind"],
        "title": str(record),
        "snippet": html.unescape(strip_tags(result["snippet"])),
        "url": request.build_absolute_uri(record.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse(view, args=[getattr(record, lookup)])),
    }


@schema(None)
def docs(request):
    """The API's documentation (Swagger UI, from our own static files)."""
    rate = settings.CREDENCE_API_ANON_RATE
    context = {
        "schema_url": reverse("api:schema"),
        "rate": rate_display(rate) if rate else "as many requests as they like",
    }
    return render(request, "api/docs.html", context)
