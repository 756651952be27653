"""/api/v1/: every answer also answers conditional GETs from its ETag (the page cache,
when on, answers them without running the view)."""

from django.urls import path
from django.views.decorators.http import conditional_page
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"


urlpatterns = [
    path("", conditional_page(views.api_root), name="root"),
    path("schema/", conditional_page(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("venues/", conditional_page(views.VenueList.as_view()), name="venue_list"),
    path("venues/<slug:slug>/", conditional_page(views.VenueDetail.as_view()), name="venue_detail"),
    path("sources/", conditional_page(views.SourceList.as_view()), name="source_list"),
    path("sources/<str:pk>/", conditional_page(views.SourceDetail.as_view()), name="source_detail"),
    path("pages/", conditional_page(views.PageList.as_view()), name="page_list"),
    path("pages/<slug:slug>/", conditional_page(views.PageDetail.as_view()), name="page_detail"),
    path("citations/", conditional_page(views.CitationList.as_view()), name="citation_list"),
    path(
        "rating-decisions/",
        conditional_page(views.RatingDecisionList.as_view()),
        name="rating_decision_list",
    ),
    path("tags/", conditional_page(views.TagList.as_view()), name="tag_list"),
    path("tags/<slug:slug>/", conditional_page(views.TagDetail.as_view()), name="tag_detail"),
    path("search/", conditional_page(views.search), name="search"),
]
