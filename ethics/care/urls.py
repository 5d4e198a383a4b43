"""Addresses stay neutral: nothing in a path says what a page is about."""

from django.urls import path

from . import views, views_urgent

app_name = "care"

urlpatterns = [
    path("matters/", views.concerns, name="concerns"),
    path("matters/new/<int:pk>/", views.concern_new, name="concern_new"),
    path("matters/<int:pk>/", views.concern_detail, name="concern"),
    path("notes/", views.flags, name="flags"),
    path("notes/new/<int:pk>/", views.flag_new, name="flag_new"),
    path("notes/<int:pk>/", views.flag_detail, name="flag"),
    path("talk/", views.debriefs, name="debriefs"),
    path("talk/new/", views.debrief_new, name="debrief_new"),
    path("talk/<int:pk>/", views.debrief_detail, name="debrief"),
    path("changes/", views.changes, name="changes"),
    path("changes/new/<int:pk>/", views.change_new, name="change_new"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
    path("changes/<int:pk>/withdraw/", views.change_withdraw, name="change_withdraw"),
    path("pairs/<int:pk>/stop/", views.block, name="block"),
    path("pairs/<int:pk>/now/", views_urgent.urgent, name="urgent"),
    path("pairs/<int:pk>/now/next/", views_urgent.urgent_next, name="urgent_next"),
]
