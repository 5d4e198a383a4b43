from django.apps import AppConfig


class PeerSessionsConfig(AppConfig):
    # The default label "sessions" would collide with django.contrib.sessions.
    name = "sessions"
    label = "peer_sessions"
    verbose_name = "Sessions and check-ins"
