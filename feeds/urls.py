from django.urls import path

from core.page_cache import cache_depends_on_kinds
from ratings.models import RatingDecision
from sources.models import Source, TaggedSource
from wiki.models import TaggedPage, WikiPage

from . import feeds, views

app_name = "feeds"

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    # Each feed lists the latest changed of its kinds: any write of them may reorder it.
    path(
        "feeds/pages/",
        cache_depends_on_kinds(WikiPage)(feeds.PagesChangedFeed()),
        name="pages",
    ),
    path(
        "feeds/sources/",
        cache_depends_on_kinds(Source)(feeds.SourcesAddedFeed()),
        name="sources",
    ),
    path(
        "feeds/ratings/",
        cache_depends_on_kinds(RatingDecision)(feeds.RatingDecisionsFeed()),
        name="ratings",
    ),
    path(
        "feeds/tags/<slug:slug>/",
        cache_depends_on_kinds(Source, WikiPage, TaggedSource, TaggedPage)(feeds.TagFeed()),
        name="tag",
    ),
]
