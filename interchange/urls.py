from django.urls import re_path

from . import views

app_name = "interchange"

# Only the three format names match, so /sources/<id>/snapshots/ of a source whose id is
# "export" still reaches the snapshots.
FORMAT = r"(?P<format_name>bibtex|ris|csljson)"

urlpatterns = [
    re_path(rf"^sources/export/{FORMAT}/$", views.source_list_export, name="source_list_export"),
    re_path(rf"^sources/(?P<ref>[^/]+)/cite/{FORMAT}/$", views.source_cite, name="source_cite"),
    re_path(
        rf"^wiki/(?P<slug>[-a-zA-Z0-9_]+)/references/{FORMAT}/$",
        views.page_references,
        name="page_references",
    ),
]
