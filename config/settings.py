"""Settings for the store API.

Every setting that differs between a laptop, CI and production comes from the environment;
the defaults match the services that `make services` starts on 127.0.0.1.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django_guid.integrations import CeleryIntegration
from elasticsearch import OrjsonSerializer


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# `production` (the Docker image sets it) refuses the development secret key and turns on
# secure cookies; `development` (the default: make run, tests, benchmarks) runs as is.
STORE_ENV = os.environ.get("STORE_ENV", "development")
if STORE_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"STORE_ENV must be development or production, not {STORE_ENV!r}")
PRODUCTION = STORE_ENV == "production"
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-change-me"  # noqa: S105  (refused below)
# A fixed key is fine for local services only: production must set its own.
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
if PRODUCTION and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "STORE_ENV=production needs SECRET_KEY: a long random value of your own, e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# --- HTTPS behind a proxy -----------------------------------------------------------------
# TLS ends at the reverse proxy in front of the app. The header it sets to say the client
# used HTTPS, e.g. `X-Forwarded-Proto` (its value `https` then means a secure request); only
# set it when the proxy always sets or strips that header, or clients could forge it.
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
# The admin's session and CSRF cookies only over HTTPS in production.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
# Redirecting to HTTPS and HSTS are the TLS-terminating proxy's job by default (it knows the
# public host and port); turn them on here when the app should send them itself.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Health probes from inside the container speak plain HTTP to the app itself.
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Origins (scheme://host[:port]) whose unsafe requests to the admin pass the CSRF check.
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]
# `manage.py check --deploy` (make lint) runs with STORE_ENV=production: what it still warns
# about by design. W004/W008: HSTS and the HTTPS redirect are the proxy's by default (above).
SILENCED_SYSTEM_CHECKS = [
    "security.W004",
    "security.W008",
    # The password grant is this API's chosen sign-in, for its first-party client only
    # (docs/architecture.md, "Accounts").
    "oauth2_provider.W002",
    # Tokens are stored as issued (DOT's default until 4.0): hashing them needs a migration
    # of every stored token and is left to an issue of its own.
    "oauth2_provider.W006",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_elasticsearch_dsl",
    "django_guid",
    "core",
    "accounts",
    "catalog",
    "commerce",
    "search",
    "events",
    "storefront",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id.
    "django_guid.middleware.guid_middleware",
    "ops.middleware.RequestObservationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses oversized, over-nested or NUL-carrying requests before any view reads them.
    "api.middleware.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://store:store@127.0.0.1:55432/store"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only deployments that run collectstatic set STATIC_ROOT.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
# Serve app static files (Swagger UI) straight from the apps: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Redis, Celery ------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:56379/0")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every task unless
# told to reuse it: a new PostgreSQL session (fork + authentication) per drain cost more
# CPU than the drain (docs/PERFORMANCE.md, checkout). Reused for this many tasks; CONN_MAX_AGE
# and the health check still apply (config.celery calls close_old_connections per task).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when the broker is down: fail fast, the outbox re-drives.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Expired OAuth2 tokens are removed by a beat task every TOKEN_CLEANUP_INTERVAL_SECONDS.
TOKEN_CLEANUP_INTERVAL_SECONDS = env_int("TOKEN_CLEANUP_INTERVAL_SECONDS", 3600)
# How long a web process may reuse a bearer token it verified (0: ask PostgreSQL every time).
# Any revocation ends it at once in every process (accounts.token_cache).
TOKEN_CACHE_SECONDS = env_int("TOKEN_CACHE_SECONDS", 60)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "accounts.clear_expired_tokens": {
        "task": "accounts.tasks.clear_expired_tokens",
        "schedule": float(TOKEN_CLEANUP_INTERVAL_SECONDS),
    },
}

# DRF throttles and the token-endpoint limiter count in Redis, so every web process agrees.
CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    },
    # Autocomplete answers, per web process: no network hop (Redis would add one).
    "suggestions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "suggestions",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
}

# --- OAuth2 (django-oauth-toolkit) --------------------------------------------------------
# The first-party public client (no secret, password and refresh grants) ensured on migrate.
OAUTH_CLIENT_ID = os.environ.get("OAUTH_CLIENT_ID", "storefront")
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_ACCESS_TOKEN_EXPIRE_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_REFRESH_TOKEN_EXPIRE_SECONDS", 14 * 24 * 3600),
    "ROTATE_REFRESH_TOKEN": True,
    # No grace: a rotated refresh token is refused at once.
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    # A rotated refresh token used again means theft: revoke every token of that sign-in
    # (RFC 9700 §4.14.2). Revoked refresh tokens are kept until they expire to detect it.
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "SCOPES": {"read": "Read your data", "write": "Change your data"},
    "DEFAULT_SCOPES": ["read", "write"],
    "OAUTH2_VALIDATOR_CLASS": "accounts.authentication.StoreOAuth2Validator",
    # RFC 9700's recommendations for what this API does not use (no authorization endpoint,
    # no redirects, tokens in the header only); the password grant is kept (see below).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# Failure limits of everything that checks a password (accounts.throttling): failures per
# window; a budget that reaches its limit is locked for a window, doubled per earlier lockout.
TOKEN_RATE_LIMIT_WINDOW_SECONDS = env_int("TOKEN_RATE_LIMIT_WINDOW_SECONDS", 900)
# Sign-in (token endpoint and admin login): tight per pair, loose per username (far above
# what one address can reach, so nobody locks the owner out), and per address.
TOKEN_RATE_LIMIT_PER_USERNAME_AND_IP = env_int("TOKEN_RATE_LIMIT_PER_USERNAME_AND_IP", 5)
TOKEN_RATE_LIMIT_PER_USERNAME = env_int("TOKEN_RATE_LIMIT_PER_USERNAME", 100)
TOKEN_RATE_LIMIT_PER_IP = env_int("TOKEN_RATE_LIMIT_PER_IP", 50)
# Wrong old_password at POST /api/users/me/password/.
PASSWORD_CHANGE_RATE_LIMIT_PER_USER = env_int("PASSWORD_CHANGE_RATE_LIMIT_PER_USER", 5)
PASSWORD_CHANGE_RATE_LIMIT_PER_IP = env_int("PASSWORD_CHANGE_RATE_LIMIT_PER_IP", 20)
# The back-off's ceiling: no lockout is longer, and lockouts are remembered this long.
FAILURE_LOCKOUT_MAX_SECONDS = env_int("FAILURE_LOCKOUT_MAX_SECONDS", 24 * 3600)

# --- Elasticsearch ------------------------------------------------------------------------
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:59200")
ELASTICSEARCH_TIMEOUT = float(os.environ.get("ELASTICSEARCH_TIMEOUT", "5"))
# Reindex bulk loads and refreshes of whole indices take longer than a shopper's search.
ELASTICSEARCH_BULK_TIMEOUT = float(os.environ.get("ELASTICSEARCH_BULK_TIMEOUT", "120"))
# Every alias and index name starts with this prefix, so tests and tenants never collide.
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "store")
# Replicas of every index: 0 on a single local node, more on a cluster.
ELASTICSEARCH_REPLICAS = env_int("ELASTICSEARCH_REPLICAS", 0)
ELASTICSEARCH_DSL = {
    "default": {
        "hosts": ELASTICSEARCH_URL.split(","),
        "request_timeout": ELASTICSEARCH_TIMEOUT,
        "max_retries": 1,
        "retry_on_timeout": False,
        # The client's own orjson serializer: JSON was a sixth of a search's CPU in the API.
        "serializer": OrjsonSerializer(),
    }
}
# The sync is driven by the outbox (search issue), never by django-elasticsearch-dsl's
# synchronous save signals.
ELASTICSEARCH_DSL_AUTOSYNC = False
ELASTICSEARCH_DSL_AUTO_REFRESH = False
ELASTICSEARCH_DSL_SIGNAL_PROCESSOR = "search.signals.OutboxSignalProcessor"
SEARCH_REDRIVE_SECONDS = float(os.environ.get("SEARCH_REDRIVE_SECONDS", "30"))
SEARCH_AUTOCOMPLETE_SIZE = env_int("SEARCH_AUTOCOMPLETE_SIZE", 10)
# How stale an autocomplete answer may be (seconds; 0 turns the cache off).
SEARCH_AUTOCOMPLETE_CACHE_SECONDS = float(os.environ.get("SEARCH_AUTOCOMPLETE_CACHE_SECONDS", "10"))
# How old the words of a query and their typo'd forms in the index may be (per web process).
SEARCH_SPELLING_CACHE_SECONDS = float(os.environ.get("SEARCH_SPELLING_CACHE_SECONDS", "30"))
SEARCH_PAGE_SIZE = env_int("SEARCH_PAGE_SIZE", 20)
# How old a web process's copy of the synonym rules may get (search.synonyms).
SEARCH_SYNONYMS_REFRESH_SECONDS = float(os.environ.get("SEARCH_SYNONYMS_REFRESH_SECONDS", "2"))
CELERY_BEAT_SCHEDULE["search-redrive-outbox"] = {
    "task": "search.tasks.redrive_search_outbox",
    "schedule": SEARCH_REDRIVE_SECONDS,
}

# --- Order events -------------------------------------------------------------------------
# Where the relay publishes the outbox's events: `redis` (Streams, nothing new to run) or
# `kafka`. EVENTS_STREAM is the stream's or the topic's name.
EVENTS_BACKEND = os.environ.get("EVENTS_BACKEND", "redis")
if EVENTS_BACKEND not in {"redis", "kafka"}:
    raise ValueError(f"EVENTS_BACKEND must be redis or kafka, not {EVENTS_BACKEND!r}")
EVENTS_STREAM = os.environ.get("EVENTS_STREAM", "store.orders")
EVENTS_REDIS_URL = os.environ.get("EVENTS_REDIS_URL", REDIS_URL)
KAFKA_BOOTSTRAP_SERVERS = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")
# How long the stream keeps events (Redis: XADD MINID; Kafka: the topic's retention.ms).
EVENTS_RETENTION_SECONDS = env_int("EVENTS_RETENTION_SECONDS", 7 * 24 * 3600)
EVENTS_KAFKA_PARTITIONS = env_int("EVENTS_KAFKA_PARTITIONS", 3)
# The CloudEvents `source` of the events this service emits.
EVENTS_SOURCE = os.environ.get("EVENTS_SOURCE", "urn:store-api:commerce")
EVENTS_REDRIVE_SECONDS = float(os.environ.get("EVENTS_REDRIVE_SECONDS", "10"))
CELERY_BEAT_SCHEDULE["events-redrive"] = {
    "task": "events.tasks.redrive_events",
    "schedule": EVENTS_REDRIVE_SECONDS,
}
# Where the JSON Schemas of the events' `data` are served: each event's `dataschema` is
# this base + `<type>.json` (GET /api/events/schemas/<type>.json answers them).
EVENTS_SCHEMA_BASE_URL = os.environ.get(
    "EVENTS_SCHEMA_BASE_URL", "http://127.0.0.1:8000/api/events/schemas/"
)

# --- Webhooks -----------------------------------------------------------------------------
# http and loopback destinations (127.0.0.1, ::1) for tests and local development; never
# other private addresses.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_RESPONSE_MAX_BYTES = env_int("WEBHOOK_RESPONSE_MAX_BYTES", 4096)
# Tries per delivery; between them, exponential back-off from the base, capped, with jitter.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_RETRY_MAX_SECONDS = float(os.environ.get("WEBHOOK_RETRY_MAX_SECONDS", str(6 * 3600)))
# An endpoint whose every attempt failed for this long is disabled (its owner sees why).
WEBHOOK_DISABLE_AFTER_SECONDS = float(os.environ.get("WEBHOOK_DISABLE_AFTER_SECONDS", "86400"))
# After a secret rotation, the old secret still signs for this long.
WEBHOOK_SECRET_GRACE_SECONDS = float(os.environ.get("WEBHOOK_SECRET_GRACE_SECONDS", "86400"))
# Beat: fan out events left pending and try the deliveries whose next try is due.
WEBHOOK_POLL_SECONDS = float(os.environ.get("WEBHOOK_POLL_SECONDS", "5"))
CELERY_BEAT_SCHEDULE["webhooks-redrive"] = {
    "task": "events.tasks.redrive_webhooks",
    "schedule": WEBHOOK_POLL_SECONDS,
}

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
    ],
    # A bearer token needs the `read` scope to read and `write` to change (api.permissions);
    # views that set their own permission_classes list TokenScopes first too.
    "DEFAULT_PERMISSION_CLASSES": [
        "api.permissions.TokenScopes",
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        "registration": os.environ.get("REGISTRATION_THROTTLE_RATE", "10/hour"),
        # Abuse limits (api.throttling): per signed-in user for writes, per address for
        # anonymous reads; generous enough for people, not for scripts.
        "orders": os.environ.get("ORDER_THROTTLE_RATE", "60/min"),
        "products": os.environ.get("PRODUCT_THROTTLE_RATE", "120/min"),
        "tags": os.environ.get("TAG_THROTTLE_RATE", "120/min"),
        "follows": os.environ.get("FOLLOW_THROTTLE_RATE", "120/min"),
        "search": os.environ.get("ANONYMOUS_SEARCH_THROTTLE_RATE", "1200/min"),
        "health": os.environ.get("ANONYMOUS_HEALTH_THROTTLE_RATE", "600/min"),
    },
    # How many proxies sit in front of the app: 0 trusts REMOTE_ADDR only (X-Forwarded-For
    # cannot be spoofed to dodge per-IP limits).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Store API",
    "DESCRIPTION": "Catalog, search and store API. Errors share one body: "
    '`{"error": {"code", "message", "details"}}`.',
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs are public, but a token presented there is held to its scopes too.
    "SERVE_PERMISSIONS": ["api.permissions.TokenScopes", "rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "OAUTH2_FLOWS": ["password"],
    "OAUTH2_TOKEN_URL": "/api/oauth/token/",
    "OAUTH2_REFRESH_URL": "/api/oauth/token/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.complete_operations",
    ],
    # Several models have a `state`: each enum keeps its own name.
    "ENUM_NAME_OVERRIDES": {
        "ProductStateEnum": "catalog.models.ProductState",
        "BagStateEnum": "commerce.models.BagState",
        "OrderStateEnum": "commerce.models.OrderState",
    },
}

# --- Logs, request ids, metrics -----------------------------------------------------------
# One JSON object per line (python-json-logger), each with the request id that django-guid
# takes from the `X-Request-ID` header (when it is a UUID) or makes up, answers in the same
# header, and hands to the Celery tasks the request enqueues (task headers). LOG_FORMAT=plain
# gives human-readable lines instead.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ValueError(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "INTEGRATIONS": [CeleryIntegration()],
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {
        "request_id": {
            "()": "django_guid.log_filters.CorrelationId",
            "correlation_id_field": "request_id",
        },
        # The password grant is this API's chosen sign-in (see docs/architecture.md); DOT
        # would log its RFC 9700 deprecation notice on every token request.
        "drop_password_grant_notice": {
            "()": "django.utils.log.CallbackFilter",
            "callback": lambda record: "password credentials grant" not in record.getMessage(),
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "elastic_transport": {"level": "WARNING"},
        "oauth2_provider": {"filters": ["drop_password_grant_notice"]},
        # It logs every id it sets or passes on at INFO.
        "django_guid": {"level": "WARNING"},
    },
}

# GET /metrics (Prometheus): for whoever sends `Authorization: Bearer <METRICS_TOKEN>`, or,
# with DEBUG only, comes straight (no proxy header) from METRICS_ALLOWED_NETWORKS; everyone
# else 401/403 (without a token and DEBUG, nobody: it fails closed).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = [
    network.strip()
    for network in os.environ.get("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128").split(",")
    if network.strip()
]
# A Celery worker with no PROMETHEUS_MULTIPROC_DIR shared with the web answers Prometheus on
# this port itself (0: off).
WORKER_METRICS_PORT = env_int("WORKER_METRICS_PORT", 0)

# --- Store --------------------------------------------------------------------------------
STORE_CURRENCY = os.environ.get("STORE_CURRENCY", "EUR")
# Units of one product a buyer may hold in open orders (placed, lines not yet fulfilled):
# one account cannot buy a product's whole stock and leave it unpaid in `placed`.
ORDER_MAX_OPEN_UNITS_PER_PRODUCT = env_int("ORDER_MAX_OPEN_UNITS_PER_PRODUCT", 10)
# Open bags untouched this long are abandoned by a beat task that runs every
# BAG_SWEEP_INTERVAL_SECONDS.
BAG_IDLE_DAYS = env_int("BAG_IDLE_DAYS", 30)
BAG_SWEEP_INTERVAL_SECONDS = env_int("BAG_SWEEP_INTERVAL_SECONDS", 3600)
CELERY_BEAT_SCHEDULE["commerce.abandon_idle_bags"] = {
    "task": "commerce.tasks.abandon_idle_bags",
    "schedule": float(BAG_SWEEP_INTERVAL_SECONDS),
}
