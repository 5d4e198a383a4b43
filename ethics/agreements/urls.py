"""Addresses stay neutral: nothing in a path says what a page is about."""

from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.acknowledge, name="acknowledge"),
    path("guidelines/", views.guidelines_page, name="guidelines"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
]
