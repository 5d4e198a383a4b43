"""Every coordinator page, under /team/ in the one namespace `team`. Paths stay neutral."""

from django.urls import path

from . import team_views, views

app_name = "team"

urlpatterns = [
    path("applications/", team_views.applications, name="applications"),
    path("applications/<int:pk>/", team_views.application_detail, name="application"),
    path("coordinators/new/", team_views.coordinator_new, name="coordinator_new"),
    path("lists/<slug:kind>/", team_views.vocabulary_list, name="vocabulary"),
    path("lists/<slug:kind>/new/", team_views.vocabulary_edit, name="vocabulary_new"),
    path("lists/<slug:kind>/<int:pk>/", team_views.vocabulary_edit, name="vocabulary_edit"),
    path("queue/", views.queue, name="queue"),
    path("people/", views.supporters, name="supporters"),
    path("people/<int:pk>/", views.supporter_action, name="supporter_action"),
    path("attention/", views.at_risk, name="at_risk"),
    path("pairs/<int:pk>/", views.pairing, name="pairing"),
    path("figures/", views.service_health, name="health"),
    path("figures.csv", views.service_health_csv, name="health_csv"),
]
