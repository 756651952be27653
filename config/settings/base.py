"""Settings shared by every environment.

Everything configurable comes from the environment; dev.py, test.py and prod.py only override.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Runtime state (the embedded database, generated keys, collected static files) lives here,
# outside version control.
VAR_DIR = Path(os.environ.get("CREDENCE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment, refusing anything ambiguous."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    """Read an integer from the environment."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list from the environment."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    """Read a number (seconds, say) from the environment."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def database_from_env(variable: str = "DATABASE_URL") -> dict:
    """Return the database named by an environment variable (DATABASE_URL: else the
    embedded SQLite file)."""
    default_url = f"sqlite:///{VAR_DIR / 'credence.sqlite3'}"
    url = os.environ.get(variable) or default_url
    if url.split("?")[0].lower() in ("sqlite://", "sqlite:///"):
        # dj-database-url reads these as an in-memory database: nothing would be kept.
        raise ImproperlyConfigured(
            f"{variable}={url!r} names no SQLite file: write sqlite:////absolute/path.sqlite3 "
            "(or sqlite:///:memory: for a database that is gone when the process ends)."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{variable} is not a database URL Django can use: {exc}"
        ) from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while the demo server or a command writes.
        config.setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    return config


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "django_filters",
    "simple_history",
    "django_tasks",
    "csp",
    "axes",
    "django_tasks_db",
    "core",
    "accounts",
    "ratings",
    "search",
    "sources",
    "wiki",
    "interchange",
    "merging",
    "claims",
    "about",
    "feeds",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte or a 64-bit-busting number in the address is a 400 before any look-up.
    "core.middleware.RefuseMalformedAddressMiddleware",
    # Serves collected static files (production: compressed, content-hashed, cached forever).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The API's anonymous rate limit: before the page cache, so cached answers count too.
    "api.throttling.ApiRateLimitMiddleware",
    # Whole pages for anonymous readers; any change to the knowledge base makes them fresh.
    # As early as knowing the reader allows: a hit answers without the layers below, and a
    # page is stored with the headers they add (CSP, X-Frame-Options, Content-Length).
    "core.page_cache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (see CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Names the signed-in user on the history rows that a request writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    # With a read replica: staff requests and form posts read from the primary.
    "config.db_router.PrimaryPinMiddleware",
    # Login throttling (last, as django-axes asks).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After 5 failed logins for one username from one address, that pair is locked out for
# 15 minutes. The lockout page is the same whether or not the account exists.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# No "AXES: BEGIN version ..." banner at the start of every command.
AXES_VERBOSE = False
# The same client address as the report limit: behind the proxy, the one it forwards
# (CREDENCE_CLIENT_IP_HEADER), so one attacker cannot lock everyone out as "the proxy".
AXES_CLIENT_IP_CALLABLE = "accounts.services.client_address"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": database_from_env()}
# An optional read replica of the primary (PostgreSQL streaming replication): the router
# sends anonymous reads there and everything else to the primary. Tests mirror it.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **database_from_env("DATABASE_REPLICA_URL"),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (Index(include=...)) are for PostgreSQL; SQLite builds the same index
    # on its key columns alone, which is all the demo needs. Without this, every command of
    # `make run` opened with three warnings that ask nothing of the person reading them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))

# Rating moderation: may a moderator approve their own proposal? Only for one-person installs.
CREDENCE_ALLOW_SELF_APPROVAL = env_bool("CREDENCE_ALLOW_SELF_APPROVAL", False)

# A venue whose rating was last reviewed longer ago than this is marked as due for review.
CREDENCE_REVIEW_AFTER_MONTHS = env_int("CREDENCE_REVIEW_AFTER_MONTHS", 18)
# Lists count their rows no further than this; past it they say "more than 10,000".
CREDENCE_LIST_COUNT_CAP = env_int("CREDENCE_LIST_COUNT_CAP", 10_000)
# A list filter by venue or tag offers them all while there are at most this many; beyond,
# it is a box that takes a name, with suggestions (core.widgets.NamedChoiceWidget).
CREDENCE_FILTER_CHOICES_MAX = env_int("CREDENCE_FILTER_CHOICES_MAX", 200)
# A source list downloaded for a reference manager holds at most this many sources (the
# whole knowledge base: `manage.py export_citations`).
CREDENCE_EXPORT_MAX_SOURCES = env_int("CREDENCE_EXPORT_MAX_SOURCES", 1_000)
# Reader reports of wrong ratings: how many one client may send per hour.
CREDENCE_REPORTS_PER_HOUR = env_int("CREDENCE_REPORTS_PER_HOUR", 5)
# Behind a reverse proxy, the request header holding the client's address as the proxy saw
# it (e.g. HTTP_X_FORWARDED_FOR; its last entry is used). Empty: REMOTE_ADDR.
CREDENCE_CLIENT_IP_HEADER = os.environ.get("CREDENCE_CLIENT_IP_HEADER", "")


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Read a comma-separated list of IP networks from the environment, refusing at
    start-up what is not one (else every fetch would fail on it)."""
    networks = []
    for value in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} lists {value!r}, which is not an IP network "
                "(write one as 10.0.0.0/8, fd00::/8 or a single address)."
            ) from None
    return networks


# Content snapshots: how sources are fetched. Connections to loopback, private, link-local,
# multicast and reserved addresses are refused unless their network is listed here (tests
# list 127.0.0.1/32 for their local server; production should leave it empty).
CREDENCE_FETCH_ALLOW_NETWORKS = env_networks("CREDENCE_FETCH_ALLOW_NETWORKS")
CREDENCE_FETCH_CONNECT_TIMEOUT = env_float("CREDENCE_FETCH_CONNECT_TIMEOUT", 5.0)
CREDENCE_FETCH_READ_TIMEOUT = env_float("CREDENCE_FETCH_READ_TIMEOUT", 20.0)
# The whole fetch (redirects, headers, body) must end within this, however slowly a server drips it.
CREDENCE_FETCH_TOTAL_TIMEOUT = env_float("CREDENCE_FETCH_TOTAL_TIMEOUT", 60.0)
CREDENCE_FETCH_MAX_BYTES = env_int("CREDENCE_FETCH_MAX_BYTES", 5 * 1024 * 1024)
CREDENCE_FETCH_MAX_REDIRECTS = env_int("CREDENCE_FETCH_MAX_REDIRECTS", 5)
CREDENCE_FETCH_USER_AGENT = os.environ.get(
    "CREDENCE_FETCH_USER_AGENT",
    "CredenceBot/0.1 (source snapshots for a knowledge base; +https://github.com/credence)",
)

# Background tasks (Django's tasks API through the django-tasks backport). The embedded
# default keeps the queue in the database; `manage.py db_worker` runs it. Any number of
# workers, on any machines sharing the database, form a pool.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("CREDENCE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "snapshots"],
    }
}

# Browser-side protections, in every environment (production adds HSTS and secure cookies).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script but our own files (no inline script, no eval), no plugins, no <base> tricks,
# no framing. Inline style attributes are allowed: Django's admin writes a few.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Cache: local memory by default (one process: the demo server). Production settings use
# Redis from REDIS_URL so that every app server shares one cache and one content version.
# In one process (the demo, the tests); production sets Redis. Room for a corpus's pages,
# rendered bodies and per-body references: the stock 300 entries would churn.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
# Anonymous readers' pages are cached this long at most (0 turns the page cache off); any
# edit, import, rating decision or snapshot makes them fresh at once.
CREDENCE_PAGE_CACHE_SECONDS = env_int("CREDENCE_PAGE_CACHE_SECONDS", 600)
CREDENCE_PAGE_CACHE_ALIAS = "default"
# Pages each process also keeps in its own memory (a hit then reads only the tag versions
# from the shared cache); 0 keeps none.
CREDENCE_PAGE_CACHE_LOCAL_ENTRIES = env_int("CREDENCE_PAGE_CACHE_LOCAL_ENTRIES", 500)
# A front cache (Varnish, a CDN) purged by tag when records change; off by default. With
# CREDENCE_FRONT_CACHE_PURGE_URL set, each change sends `PURGE` there with the tags in an
# `xkey-purge` header (Varnish's xkey module); see core/front_cache.py for other backends.
CREDENCE_FRONT_CACHE = (
    {
        "default": {
            "BACKEND": "core.front_cache.HTTPPurgeBackend",
            "LOCATION": os.environ["CREDENCE_FRONT_CACHE_PURGE_URL"],
            "HEADER": os.environ.get("CREDENCE_FRONT_CACHE_PURGE_HEADER", "xkey-purge"),
        }
    }
    if os.environ.get("CREDENCE_FRONT_CACHE_PURGE_URL")
    else {}
)
# How long a shared cache may keep a page without asking (s-maxage). Without a purge hook,
# 0: a proxy revalidates every time (a cheap 304) and never shows a stale page.
CREDENCE_SHARED_CACHE_SECONDS = env_int(
    "CREDENCE_SHARED_CACHE_SECONDS", CREDENCE_PAGE_CACHE_SECONDS if CREDENCE_FRONT_CACHE else 0
)

# Taggit: tags are matched without regard to case, so "AI-Governance" and "ai-governance" are one.
TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own console handler (debug only) would print each django.* line a second
    # time beside the root's: django's loggers only propagate here.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

# History: reasons ("imported from ...", "reverted to ...") can be longer than 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Longterm Wiki import limits: the files come from outside. A file over its size limit is
# refused before it is read. The real corpus's largest data file (resources-snapshot.json,
# ~5,000 sources) is 2.5 MB and its largest page 88 kB; a page costs about 80 times its size
# in memory to convert and render (0.75 s a megabyte), a data file 5 to 25 times. Values
# nested deeper than the depth limit (YAML, JSON, front matter) are refused too: the corpus
# nests 4 deep.
CREDENCE_IMPORT_MAX_FILE_BYTES = env_int("CREDENCE_IMPORT_MAX_FILE_BYTES", 16 * 1024 * 1024)
CREDENCE_IMPORT_MAX_PAGE_BYTES = env_int("CREDENCE_IMPORT_MAX_PAGE_BYTES", 1024 * 1024)
CREDENCE_IMPORT_MAX_DEPTH = env_int("CREDENCE_IMPORT_MAX_DEPTH", 20)

# Citing weak evidence: the editor's preview warns, and a save that newly cites such a
# source asks for a reason to keep it (recorded with the page's version). Sources rated at
# most this level (0: none), unrated ones, and ones whose last fetch found the link dead
# or paywalled.
CREDENCE_CITATION_WARN_AT_MOST = env_int("CREDENCE_CITATION_WARN_AT_MOST", 2)
CREDENCE_CITATION_WARN_UNRATED = env_bool("CREDENCE_CITATION_WARN_UNRATED", True)
CREDENCE_CITATION_WARN_DEAD = env_bool("CREDENCE_CITATION_WARN_DEAD", True)
CREDENCE_CITATION_WARN_PAYWALLED = env_bool("CREDENCE_CITATION_WARN_PAYWALLED", True)
# And sources whose publisher retracted them or issued an expression of concern
# (`import_retractions`); a correction alone does not warn.
CREDENCE_CITATION_WARN_RETRACTED = env_bool("CREDENCE_CITATION_WARN_RETRACTED", True)

# Claim checks (claims app): a page whose body changed, or a source with a new good
# snapshot, has its claims checked again by a background task queued on commit (a worker
# runs it: `manage.py db_worker`). Off: only `manage.py check_claims` checks.
CREDENCE_CLAIM_CHECKS_ON_SAVE = env_bool("CREDENCE_CLAIM_CHECKS_ON_SAVE", True)

# The read-only API (/api/v1/): JSON only (one representation per address, so the page
# cache and proxies key on the address alone), no sign-in, and a rate limit per client
# address for anonymous callers ("120/minute"; empty turns it off). The limit counts in
# the default cache: shared by every app server when that is Redis (production).
CREDENCE_API_ANON_RATE = os.environ.get("CREDENCE_API_ANON_RATE", "120/minute")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": [],  # api.throttling.ApiRateLimitMiddleware, before the cache
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Credence API",
    "DESCRIPTION": (
        "Read-only access to Credence's venues, sources, wiki pages, citations, rating "
        "decisions and tags. Lists take the same filters as the public lists and page by "
        "cursor (follow `next`). Anonymous callers are rate limited (429 with Retry-After)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Venues, sources and pages each have a `type` with its own choices: named apart.
    "ENUM_NAME_OVERRIDES": {
        "VenueTypeEnum": "sources.models.VenueType",
        "SourceTypeEnum": "sources.models.SourceType",
        "PageTypeEnum": "wiki.models.PageType",
    },
}
