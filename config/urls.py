"""Root URL configuration."""

import os

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from interchange.admin import citations_import_view
from merging.admin import duplicates_view, merge_view
from wiki.admin import recent_changes_view

admin.site.site_header = _("Credence administration")
admin.site.site_title = _("Credence admin")
admin.site.index_title = _("Curate sources, venues and wiki pages")
admin.site.site_url = "/"

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page links. The static URL is looked up
    # per request: production names static files by their content hash.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True),
        name="favicon",
    ),
    path("admin/changes/", admin.site.admin_view(recent_changes_view), name="recent_changes"),
    path(
        "admin/sources/source/import/",
        admin.site.admin_view(citations_import_view),
        name="citations_import",
    ),
    path(
        "admin/sources/source/duplicates/",
        admin.site.admin_view(duplicates_view),
        name="merging_duplicates",
    ),
    path(
        "admin/sources/source/duplicates/merge/",
        admin.site.admin_view(merge_view),
        name="merging_merge",
    ),
    # Rating moderation moved from the wiki app to its own: addresses people kept (the
    # queue, a proposal sent by e-mail) still lead to the same page.
    re_path(
        r"^admin/wiki/(?P<rest>rating(?:proposal|decision|report)/.*)$",
        RedirectView.as_view(url="/admin/ratings/%(rest)s", query_string=True, permanent=True),
        name="ratings_moved",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    # Before the sources' own: /sources/export/<format>/ is not a source id.
    path("", include("interchange.urls")),
    path("", include("sources.urls")),
    path("", include("wiki.urls")),
    path("", include("search.urls")),
    path("", include("ratings.urls")),
    path("", include("feeds.urls")),
    path("", include("about.urls")),
]

# The benchmark's yardstick: a constant response through the whole Django stack. Only
# when CREDENCE_BENCH_VIEWS=1 (bench/pages.py sets it); never in a normal deployment.
if os.environ.get("CREDENCE_BENCH_VIEWS") == "1":
    from django.http import HttpResponse

    def constant(request):
        return HttpResponse(b"<!doctype html><title>ok</title><p>ok</p>")

    urlpatterns.insert(0, path("bench/constant/", constant))
