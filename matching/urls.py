"""Addresses stay neutral: nothing in a path says what a page is about."""

from django.urls import path

from . import views, views_request

app_name = "matching"

urlpatterns = [
    # Asking (or changing a request) in steps, then checking the answers: views_request.
    path("new/", views_request.request_new, name="request_new"),
    path("new/check/", views_request.request_check, name="request_check"),
    path("new/<slug:step>/", views_request.request_step, name="request_step"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/edit/", views_request.request_edit, name="request_edit"),
    path("<int:pk>/edit/check/", views_request.request_check, name="request_edit_check"),
    path("<int:pk>/edit/<slug:step>/", views_request.request_step, name="request_edit_step"),
    path("<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    path("pairs/<int:pk>/", views.pairing_detail, name="pairing"),
    path("pairs/<int:pk>/action/", views.pairing_action, name="pairing_action"),
    # Check before you continue: each posts to pairing_action.
    path(
        "pairs/<int:pk>/pause/",
        views.pairing_confirm,
        {"action": "pause"},
        name="pairing_pause",
    ),
    path(
        "pairs/<int:pk>/finish/",
        views.pairing_confirm,
        {"action": "complete"},
        name="pairing_finish",
    ),
    # The coordinators' proposals moved to team:proposals; notices still link here.
    path("proposals/", views.proposals_moved, name="proposals"),
]
