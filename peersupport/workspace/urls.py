"""The workspace's addresses, under /team/. Paths stay neutral."""

from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("people/", views.supporters, name="supporters"),
    path("people/<int:pk>/", views.supporter_action, name="supporter_action"),
    path("attention/", views.at_risk, name="at_risk"),
    path("pairs/<int:pk>/", views.pairing, name="pairing"),
    path("figures/", views.service_health, name="health"),
    path("figures.csv", views.service_health_csv, name="health_csv"),
]
