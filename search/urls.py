from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/suggest/", views.search_suggestions, name="suggest"),
]
