"""Addresses stay neutral: nothing in a path says what a page is about."""

from django.urls import path

from . import views

app_name = "ethics"

urlpatterns = [
    path("", views.acknowledge, name="acknowledge"),
    path("guidelines/", views.guidelines_page, name="guidelines"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/publish/", views.publish, name="publish"),
    path("manage/", views.manage, name="manage"),
    path("manage/<int:pk>/draft/", views.draft_edit, name="draft"),
    path("concerns/", views.concerns, name="concerns"),
    path("concerns/new/<int:pk>/", views.concern_new, name="concern_new"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern"),
    path("flags/", views.flags, name="flags"),
    path("flags/new/<int:pk>/", views.flag_new, name="flag_new"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("debriefs/", views.debriefs, name="debriefs"),
    path("debriefs/new/", views.debrief_new, name="debrief_new"),
    path("debriefs/<int:pk>/", views.debrief_detail, name="debrief"),
    path("changes/", views.changes, name="changes"),
    path("changes/new/<int:pk>/", views.change_new, name="change_new"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
    path("pairs/<int:pk>/block/", views.block, name="block"),
]
