"""The ASGI entry point: pages through Django, the conversations' websockets through Channels.

Serve it with daphne (`daphne peersupport.asgi:application`); `manage.py runserver` does too,
daphne being the first installed app.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")
# Django is set up (apps loaded) before anything imports models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from peersupport.conversations.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # Only pages of this site may open a socket (Origin checked against ALLOWED_HOSTS), and
        # the socket knows who is signed in from the session cookie.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
