"""Root URLs. Paths stay neutral: nothing in an address says what the service is about."""

from django.urls import include, path

from . import views

team_patterns = (
    [
        path("applications/", views.applications, name="applications"),
        path("applications/<int:pk>/", views.application_detail, name="application"),
        path("coordinators/new/", views.coordinator_new, name="coordinator_new"),
        path("lists/<slug:kind>/", views.vocabulary_list, name="vocabulary"),
        path("lists/<slug:kind>/new/", views.vocabulary_edit, name="vocabulary_new"),
        path("lists/<slug:kind>/<int:pk>/", views.vocabulary_edit, name="vocabulary_edit"),
    ],
    "team",
)

urlpatterns = [
    path("", views.index, name="index"),
    path("x/", views.quick_exit, name="quick_exit"),
    path("break/", views.take_a_break, name="take_a_break"),
    path("help/", views.help_now, name="help"),
    path("home/", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/data/", include("peersupport.mydata.urls")),
    path("inbox/", views.inbox, name="inbox"),
    path("profile/pause/", views.supporter_pause, name="supporter_pause"),
    path("volunteer/", views.supporter_apply, name="supporter_apply"),
    path("team/", include(team_patterns)),
    path("team/", include("peersupport.workspace.urls")),
    path("requests/", include("matching.urls")),
    path("meetings/", include("sessions.urls")),
    path("agreements/", include("ethics.urls")),
    path("accounts/", include("allauth.urls")),
]

handler404 = "peersupport.errors.not_found"
handler500 = "peersupport.errors.server_error"
handler403 = "peersupport.errors.forbidden"
handler400 = "peersupport.errors.bad_request"
