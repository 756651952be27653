from django.urls import path

from . import views

app_name = "wiki"

urlpatterns = [
    path("", views.home, name="home"),
    path("wiki/", views.page_list, name="page_list"),
    path("wiki/options/<slug:name>/", views.page_filter_options, name="filter_options"),
    path("wiki/<slug:slug>/", views.page_detail, name="page_detail"),
    path("tags/", views.tag_list, name="tag_list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag_detail"),
]
