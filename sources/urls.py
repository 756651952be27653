from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("sources/", views.source_list, name="source_list"),
    path("sources/options/<slug:name>/", views.source_filter_options, name="filter_options"),
    path("sources/<str:ref>/", views.source_detail, name="source_detail"),
    path("sources/<str:ref>/snapshots/", views.source_snapshot_list, name="snapshot_list"),
    path(
        "sources/<str:ref>/snapshots/<int:pk>/",
        views.source_snapshot_detail,
        name="snapshot_detail",
    ),
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/<slug:slug>/", views.venue_detail, name="venue_detail"),
]
