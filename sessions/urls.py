from django.urls import path

from . import views

app_name = "peer_sessions"

urlpatterns = [
    path("new/", views.session_new, name="session_new"),
    path("<int:pk>/", views.session_detail, name="session"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/notes/", views.session_notes, name="session_notes"),
    path("<int:pk>/change/", views.session_change, name="session_change"),
    path("<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("pair/<int:pk>/", views.pairing_sessions, name="pairing"),
    path("pair/<int:pk>/check-ins/", views.schedule_edit, name="schedule"),
    path("check-ins/<int:pk>/", views.checkin_detail, name="checkin"),
]
