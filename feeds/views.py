"""robots.txt and the sitemap views, each cached until what it lists changes."""

from django.contrib.sitemaps import views as sitemap_views
from django.shortcuts import render
from django.urls import reverse
from taggit.models import Tag

from core.page_cache import cache_depends_on_kinds
from sources.models import Source, TaggedSource, Venue
from wiki.models import TaggedPage, WikiPage

from .sitemaps import SITEMAPS

SITEMAP_KINDS = (Source, Venue, WikiPage, Tag, TaggedSource, TaggedPage)


def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("feeds:sitemap"))
    return render(
        request, "feeds/robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain"
    )


@cache_depends_on_kinds(*SITEMAP_KINDS)
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="feeds:sitemap_section")


@cache_depends_on_kinds(*SITEMAP_KINDS)
def sitemap_section(request, section: str):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)
