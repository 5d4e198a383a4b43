"""Root URLs. Paths stay neutral: nothing in an address says what the service is about."""

from django.urls import include, path

from peersupport.home import views as home_views
from peersupport.people import views
from peersupport.platform import idle

urlpatterns = [
    path("", views.index, name="index"),
    path("x/", views.quick_exit, name="quick_exit"),
    path("break/", views.take_a_break, name="take_a_break"),
    path("help/", views.help_now, name="help"),
    path("session/stay/", idle.session_stay, name="session_stay"),
    path("home/", home_views.home, name="home"),
    path("profile/", home_views.profile_edit, name="profile"),
    path("profile/data/", include("peersupport.mydata.urls")),
    path("inbox/", views.inbox, name="inbox"),
    path("profile/pause/", home_views.supporter_pause, name="supporter_pause"),
    path("volunteer/", views.supporter_apply, name="supporter_apply"),
    path("volunteer/sent/", views.supporter_applied, name="supporter_applied"),
    path("team/", include("peersupport.coordination.urls")),
    path("requests/", include("matching.urls")),
    path("meetings/", include("sessions.urls")),
    path("talk/", include("peersupport.conversations.urls")),
    path("agreements/", include("ethics.agreements.urls")),
    path("agreements/", include("ethics.care.urls")),
    path("accounts/", include("allauth.urls")),
]

handler404 = "peersupport.platform.errors.not_found"
handler500 = "peersupport.platform.errors.server_error"
handler403 = "peersupport.platform.errors.forbidden"
handler400 = "peersupport.platform.errors.bad_request"
