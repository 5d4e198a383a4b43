"""Settings, read from the environment.

The embedded default (no environment at all, DEBUG on) runs on SQLite with Celery on
a filesystem broker, so `make run` works on a fresh machine. Production sets DEBUG off,
which makes SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL required.
"""

import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / ".var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def required(name: str, default=None, cast=str):
    """A value that production must set; DEBUG (development) may fall back to `default`."""
    value = env(name, default=None)
    if value in (None, ""):
        if DEBUG and default is not None:
            return default
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return cast(value) if cast is not str else value


SECRET_KEY = required("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
# Fernet keys for notes encrypted at rest, newest first (comma-separated). The development
# key is public: never use it for real notes.
FIELD_ENCRYPTION_KEYS = required(
    "FIELD_ENCRYPTION_KEYS",
    default="NZlAwl8TnlB3ePxtm5UiWp0Dit3MnINyKi941iXKQ9g=",
).split(",")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = env("SITE_NAME", default="Willow")
# The address people use, for links in emails sent outside a request (reminders, allauth's
# emails from a command or a task). Production must set it; the Site row follows it (after
# every migrate).
SITE_URL = required("SITE_URL", default="http://localhost:8000").rstrip("/")
if not urlsplit(SITE_URL).netloc or urlsplit(SITE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("Set the SITE_URL environment variable to https://your.domain.")
SITE_ID = 1

INSTALLED_APPS = [
    # First, so `manage.py runserver` serves ASGI (pages and the conversations' websockets).
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    # Bottom to top, as the layers in docs/architecture.md.
    "peersupport.people.apps.PeopleConfig",
    "ethics.agreements.apps.AgreementsConfig",
    "matching",
    "sessions.apps.PeerSessionsConfig",
    "ethics.care.apps.CareConfig",
    "peersupport.conversations.apps.ConversationsConfig",
    "peersupport.demo.apps.DemoConfig",
    "peersupport.mydata.apps.MyDataConfig",  # no models: its retention command and task
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "peersupport.platform.middleware.QuickExitHoldMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "peersupport.platform.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "peersupport.people.middleware.MfaRequiredMiddleware",
    "peersupport.people.middleware.UserTimezoneMiddleware",
    "peersupport.platform.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "peersupport.urls"
WSGI_APPLICATION = "peersupport.wsgi.application"
ASGI_APPLICATION = "peersupport.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peersupport.platform.context_processors.site",
                "peersupport.people.context_processors.menu",
            ],
            # `when`: every page shows a moment the same way, on the viewer's clock; the
            # error summary and "Error: " title of a form that failed (GOV.UK patterns).
            "builtins": [
                "peersupport.platform.templatetags.dates",
                "peersupport.platform.templatetags.form_errors",
            ],
            # `{% frozen %}`: the parts of a page that are the same on every request, rendered
            # once per process (the chrome in base.html).
            "libraries": {"frozen": "peersupport.platform.templatetags.frozen"},
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db_url_config(
        required("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (a new PostgreSQL connection per request costs several times a small
# page), checked before each request so a connection the server dropped is replaced, not a 500.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
# The access questions every page of a pairing asks are planned once per connection on
# PostgreSQL (platform/prepared.py). Off behind a pooler that shares connections between clients
# (PgBouncer in transaction mode).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "peersupport.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "index"

# allauth: email is the login, a pseudonym is the only name, and nothing tells a
# visitor whether an address has an account.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset asked for an unknown address sends nothing
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_SIGNUP_FORM_CLASS = "peersupport.people.form_base.SignupDetailsForm"
# The sign-up form does the same work (hashing the password) for a taken address as for a new one.
# A password reset does the same work whether or not the address has an account: one outbox
# row; the delivery decides whether there is an email to send.
ACCOUNT_FORMS = {
    "signup": "peersupport.people.forms.SurvivorSignupForm",
    "reset_password": "peersupport.people.password_reset.PasswordResetRequestForm",
}
ACCOUNT_ADAPTER = "peersupport.home.adapters.AccountAdapter"
# Behind a reverse proxy, the client is the address the nearest TRUSTED_PROXIES proxies saw
# (X-Forwarded-For, counted from the right); 0 (direct) trusts no header.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXIES", default=0)
# Failed sign-ins count per address and per account *from that address* (home/adapters.py), so
# a stranger cannot lock the owner out of their account by failing on purpose.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Roles that must set up two-step sign-in before anything else (approved supporters and
# coordinators can read survivors' details). Off in development, so the demo accounts work.
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES", default=[] if DEBUG else ["supporter", "coordinator"]
)
MFA_TOTP_ISSUER = SITE_NAME

# Sessions live on the server so the quick exit and the idle timeout end them there.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Flash messages ("Sent. Every coordinator has been alerted.") stay on the server too: a cookie
# would carry them, readable, on the device.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
# Sliding expiry, so the timeout counts idle time, without a write on every request: the
# session's expiry moves forward at most once a minute (platform.middleware).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "sid"

# Quick exit: where it sends people, and for how long this browser is sent there again
# (so that Back does not return to the service).
QUICK_EXIT_URL = env("QUICK_EXIT_URL", default="https://www.bbc.co.uk/weather")
QUICK_EXIT_HOLD_SECONDS = env.int("QUICK_EXIT_HOLD_SECONDS", default=5 * 60)

# Security headers. Production is HTTPS-only; each can be overridden for a proxy setup.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin": other sites (the quick exit's neutral one too) never learn where people came
# from. ("no-referrer" would make Chrome send "Origin: null" and break CSRF checks.)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "peersupport.platform.errors.csrf_failure"

# Content Security Policy: no inline scripts or styles, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# British English, one date style ("1 December 2026, 7pm"): platform/formats and platform/dates.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
FORMAT_MODULE_PATH = ["peersupport.platform.formats"]
TIME_ZONE = "UTC"
# The zone of anyone who has not chosen one (and first in the time-zone picker's list).
DEFAULT_USER_TIME_ZONE = env("DEFAULT_USER_TIME_ZONE", default="Europe/London")
if DEFAULT_USER_TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured("Set DEFAULT_USER_TIME_ZONE to a time zone such as Europe/London.")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: discreet by design (neutral sender and subjects, no content, a link to sign in).
# Every email is first a row in the outbox, written in the transaction of the change it is
# about (peersupport/people/outbox.py); EMAIL_URL's backend is the real server behind it.
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
OUTBOX_TRANSPORT = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "peersupport.people.outbox.OutboxBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <hello@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The queue keeps the matcher's suggestions until a write they depend on changes
# (matching/queue_cache.py), and at most this long.
QUEUE_CACHE_SECONDS = env.int("QUEUE_CACHE_SECONDS", default=300)
# Each person's home panel is kept until a write it shows (ethics/care/home_cache.py), and at
# most this long.
HOME_PANEL_CACHE_SECONDS = env.int("HOME_PANEL_CACHE_SECONDS", default=300)
# The coordinators' figures page keeps its figures this long (coordination/figures.py).
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=60)
# The outbox's delivery: beat's sweep (besides the nudge after each commit), rows per
# transaction, and tries before a refused email counts as failed (the wait doubles from
# OUTBOX_RETRY_SECONDS, up to an hour).
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=30)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)

# Redis, when configured, carries Celery and the cache (allauth's rate limits use it). While
# Redis is unreachable the cache falls back to each process's memory: never a 500.
REDIS_URL = env("REDIS_URL", default="")
# Keys of one deployment (or one test run) apart from another's on a shared Redis.
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "peersupport.platform.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# Channels (the conversations' live delivery): Redis when REDIS_URL is set, so every ASGI process
# shares the groups; otherwise each process's memory (one process: `make run`).
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: an event is one PUBLISH, pushed to each process. The list-based
            # RedisChannelLayer shares one list of 100 events per process and reads it one event
            # at a time under a lock: with 400 open pages bench_conversations lost a fifth of
            # the messages on it, none on this. Either way a missed event costs the live update
            # only (the page reads the database; the consumer checks access on every message).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Conversations: the longest message, how many one person may send a minute, how long a page
# stays "here" without a ping (its pings come every CONVERSATION_PING_SECONDS), and how often at
# most a person who is away gets the discreet email about new messages.
CONVERSATION_MAX_CHARS = env.int("CONVERSATION_MAX_CHARS", default=2000)
CONVERSATION_RATE_PER_MINUTE = env.int("CONVERSATION_RATE_PER_MINUTE", default=20)
CONVERSATION_PING_SECONDS = env.int("CONVERSATION_PING_SECONDS", default=30)
CONVERSATION_PRESENCE_SECONDS = env.int("CONVERSATION_PRESENCE_SECONDS", default=90)
CONVERSATION_NOTICE_HOURS = env.float("CONVERSATION_NOTICE_HOURS", default=3.0)

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport, which
# needs no server (the embedded default).
CELERY_BROKER_DIR = VAR_DIR / "broker"
FILESYSTEM_BROKER_OPTIONS = {
    "data_folder_in": str(CELERY_BROKER_DIR),
    "data_folder_out": str(CELERY_BROKER_DIR),
    "processed_folder": str(VAR_DIR / "broker-processed"),
    "control_folder": str(VAR_DIR / "broker-control"),
    "store_processed": False,
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = FILESYSTEM_BROKER_OPTIONS
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The worker logs through Django's LOGGING (its formatter withholds exception messages).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {
    # The outbox's sweep: what a nudge missed (the broker was away) goes out within this time.
    "outbox-deliver": {
        "task": "peersupport.people.tasks.deliver_outbox",
        "schedule": float(OUTBOX_SWEEP_SECONDS),
        "options": {"expires": float(OUTBOX_SWEEP_SECONDS)},
    },
}

# Matching: how long an offer stays open, whether the matcher's proposals are offered at once
# or wait for a coordinator's review, how often it runs, and the score's weights (points a
# perfect fit earns on each component).
OFFER_TTL_HOURS = env.int("OFFER_TTL_HOURS", default=72)
MATCHING_AUTO_OFFER = env.bool("MATCHING_AUTO_OFFER", default=False)
MATCHING_EVERY_MINUTES = env.int("MATCHING_EVERY_MINUTES", default=60)
MATCHING_WEIGHTS = {
    "shared_experience": env.float("MATCHING_WEIGHT_SHARED_EXPERIENCE", default=45.0),
    "nice_to_have": env.float("MATCHING_WEIGHT_NICE_TO_HAVE", default=15.0),
    "availability": env.float("MATCHING_WEIGHT_AVAILABILITY", default=15.0),
    "timezone": env.float("MATCHING_WEIGHT_TIMEZONE", default=10.0),
    "waiting": env.float("MATCHING_WEIGHT_WAITING", default=15.0),
}
# Retention (issue 15; README "Retention"): how long records stay after they are no longer
# needed. peersupport/mydata/retention.py applies them daily (beat below, or
# `manage.py retention_sweep [--dry-run]`). Anything tied to an open safety matter waits.
RETENTION_ENDED_PAIRING_DAYS = env.int("RETENTION_ENDED_PAIRING_DAYS", default=365)
RETENTION_DECLINED_APPLICATION_DAYS = env.int("RETENTION_DECLINED_APPLICATION_DAYS", default=182)
RETENTION_IDLE_ACCOUNT_WARN_DAYS = env.int("RETENTION_IDLE_ACCOUNT_WARN_DAYS", default=730)
# Deleted when idle this long and warned at least (DELETE - WARN) days before, never sooner.
RETENTION_IDLE_ACCOUNT_DELETE_DAYS = max(
    env.int("RETENTION_IDLE_ACCOUNT_DELETE_DAYS", default=RETENTION_IDLE_ACCOUNT_WARN_DAYS + 30),
    RETENTION_IDLE_ACCOUNT_WARN_DAYS + 1,
)
RETENTION_AUDIT_DAYS = env.int("RETENTION_AUDIT_DAYS", default=6 * 365)

CELERY_BEAT_SCHEDULE["matching-run"] = {
    "task": "matching.tasks.run_matching",
    "schedule": MATCHING_EVERY_MINUTES * 60.0,
}
CELERY_BEAT_SCHEDULE["matching-expire-offers"] = {
    "task": "matching.tasks.expire_offers",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["retention-sweep"] = {
    "task": "peersupport.mydata.tasks.retention_sweep",
    "schedule": 24 * 3600.0,
    "options": {"expires": 12 * 3600.0},
}

# Errors: nothing a person typed reaches a log or an error report.
DEFAULT_EXCEPTION_REPORTER_FILTER = "peersupport.platform.reporting.NoPostDataReporterFilter"
# Every log line goes through NoTextFormatter: an exception's type and stack, never its message
# (which can hold typed text or a database key), never the request or its POST data. Celery's
# worker uses this configuration too (peersupport/celery.py), not its own.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "peersupport.platform.logsafe.NoTextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own loggers use this handler too, not Django's default (full-text) console.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Django's request logger can include the request repr; keep it to errors.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Sessions and check-ins: how often the reminder sweep runs, how many reminders one
# transaction sends, how many delivery tasks a sweep fans out, retries of failed sends
# (doubling from REMINDER_RETRY_SECONDS), quiet hours (each person's own clock), when an
# unanswered check-in counts as overdue, and after how many days without contact the
# coordinators hear about a pairing.
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=120)
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=500)
REMINDER_PARALLEL = env.int("REMINDER_PARALLEL", default=2)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_SECONDS = env.int("REMINDER_RETRY_SECONDS", default=300)
QUIET_HOURS = env("QUIET_HOURS", default="21:00-08:00")
CHECKIN_OVERDUE_HOURS = env.int("CHECKIN_OVERDUE_HOURS", default=48)
CONTACT_LAPSE_DAYS = env.int("CONTACT_LAPSE_DAYS", default=14)
CELERY_BEAT_SCHEDULE["sessions-reminder-sweep"] = {
    "task": "sessions.tasks.sweep_due_reminders",
    "schedule": float(REMINDER_SWEEP_SECONDS),
}

# The coordinators' team: when a pairing ends, whether the supporter who leaves keeps
# reading their own private session notes (off: the notes go with the pairing).
KEEP_PRIVATE_NOTES_AFTER_END = env.bool("KEEP_PRIVATE_NOTES_AFTER_END", default=False)
