from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("report/<str:kind>/<str:ref>/", views.rating_report, name="rating_report"),
]
