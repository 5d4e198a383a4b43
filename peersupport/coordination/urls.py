"""Every coordinator page, under /team/ in the one namespace `team`.

Paths stay neutral: nothing in an address says what a page is about (matters/ are concerns,
notes/ urgent flags, talk/ debriefs, like the addresses of the people who raise them).
"""

from django.urls import path

from . import (
    views,
    views_agreements,
    views_audit,
    views_care,
    views_confirm,
    views_pairings,
    views_people,
    views_standing,
)

app_name = "team"

urlpatterns = [
    # The queue and the matcher's proposals
    path("queue/", views.queue, name="queue"),
    path("proposals/", views_pairings.proposals, name="proposals"),
    path("proposals/run/", views_pairings.run, name="run"),
    path("proposals/<int:pk>/", views_pairings.proposal_decide, name="proposal_decide"),
    path("proposals/<int:pk>/discard/", views_confirm.proposal_discard, name="proposal_discard"),
    # Pairings
    path("attention/", views.at_risk, name="at_risk"),
    path("pairs/<int:pk>/", views_pairings.pairing, name="pairing"),
    path("pairs/<int:pk>/check/", views_pairings.pairing, {"check": True}, name="pairing_check"),
    path("pairs/<int:pk>/pause/", views_confirm.pairing_pause, name="pairing_pause"),
    path("pairs/<int:pk>/finish/", views_confirm.pairing_finish, name="pairing_finish"),
    # Supporters
    path("people/", views.supporters, name="supporters"),
    path("people/<int:pk>/", views.supporter_action, name="supporter_action"),
    path("people/<int:pk>/pause/", views_confirm.supporter_pause, name="supporter_pause"),
    path("people/<int:pk>/hold/", views_standing.supporter_suspend, name="supporter_suspend"),
    path(
        "people/<int:pk>/reinstate/",
        views_standing.supporter_reinstate,
        name="supporter_reinstate",
    ),
    path("people/<int:pk>/retire/", views_standing.supporter_retire, name="supporter_retire"),
    path("applications/", views_people.applications, name="applications"),
    path("applications/<int:pk>/", views_people.application_detail, name="application"),
    path(
        "applications/<int:pk>/decline/",
        views_confirm.application_decline,
        name="application_decline",
    ),
    path("talk/", views_care.debriefs, name="debriefs"),
    path("talk/<int:pk>/", views_care.debrief, name="debrief"),
    # What people raise
    path("notes/", views_care.flags, name="flags"),
    path("notes/<int:pk>/", views_care.flag, name="flag"),
    path("matters/", views_care.concerns, name="concerns"),
    path("matters/<int:pk>/", views_care.concern, name="concern"),
    path("changes/", views_care.changes, name="changes"),
    path("changes/<int:pk>/", views_care.change, name="change"),
    # Figures
    path("figures/", views.service_health, name="health"),
    path("figures.csv", views.service_health_csv, name="health_csv"),
    # The audit trail (who opened or changed what)
    path("activity/", views_audit.audit_trail, name="audit"),
    path("activity.csv", views_audit.audit_trail_csv, name="audit_csv"),
    # Settings: the lists people choose from, the agreements, coordinators
    path("lists/<slug:kind>/", views_people.vocabulary_list, name="vocabulary"),
    path("lists/<slug:kind>/new/", views_people.vocabulary_edit, name="vocabulary_new"),
    path("lists/<slug:kind>/<int:pk>/", views_people.vocabulary_edit, name="vocabulary_edit"),
    path("agreements/", views_agreements.agreements, name="agreements"),
    path("agreements/<int:pk>/draft/", views_agreements.draft, name="draft"),
    path("versions/<int:pk>/", views_agreements.version, name="version"),
    path("versions/<int:pk>/publish/", views_agreements.publish, name="publish"),
    path("coordinators/new/", views_people.coordinator_new, name="coordinator_new"),
]
