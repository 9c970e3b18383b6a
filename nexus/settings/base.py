"""Settings for every way Nexus runs; only environment variables change them.

The embedded default (no variables set) needs no server beyond the Python process:
SQLite under var/, local-memory cache, in-process tasks. Production sets
`NEXUS_ENV=production` and the service URLs documented in .env.example.
"""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from nexus.env import IS_PRODUCTION, NEXUS_ENV, VAR_DIR, env, secret_key

SECRET_KEY = secret_key()
# Old keys still accepted after a rotation: sessions, signed links and the secrets encrypted
# at rest (nexus/core/encryption.py) stay valid until they are rewritten.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=False)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set: list the host names Nexus answers for, comma-separated.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "strawberry_django",
    "django_htmx",
    "nexus.core",
    "nexus.accounts",
    "nexus.knowledge",
    "nexus.interchange",
    "nexus.search",
    "nexus.audit",
    "nexus.traffic",
    "nexus.notifications",
    "nexus.community",
    "nexus.api",
    "nexus.graphql",
    "nexus.web",
]

MIDDLEWARE = [
    "nexus.core.middleware.RequestIdMiddleware",
    # Client address, blocked networks (403 before anything else runs), the request log.
    "nexus.traffic.middleware.TrafficMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nexus.core.middleware.BodySizeLimitMiddleware",
    "nexus.core.middleware.ErrorResponseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nexus.traffic.middleware.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# NEXUS_TRAFFIC_MIDDLEWARE=false takes the traffic middlewares out entirely: the baseline
# `make bench` (bench/traffic.py) measures the request log's overhead against.
if not env.bool("NEXUS_TRAFFIC_MIDDLEWARE", default=True):
    MIDDLEWARE = [name for name in MIDDLEWARE if not name.startswith("nexus.traffic.")]

ROOT_URLCONF = "nexus.urls"
WSGI_APPLICATION = "nexus.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile-edit"
LOGOUT_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} with memoised reversals (nexus/core/templatetags/url_memo.py).
            "builtins": ["nexus.core.templatetags.url_memo"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'nexus.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the scheduler writes; IMMEDIATE takes the
        # write lock at BEGIN so concurrent writers wait instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, checking a reused connection only after it sat idle for a second
        # (nexus/core/db/postgresql/base.py): not one SELECT 1 more per request under load.
        DATABASES["default"]["ENGINE"] = "nexus.core.db.postgresql"
    # Server-side binding lets psycopg prepare a statement run five times on a connection:
    # PostgreSQL then skips planning it (an uncached entry page 15-30 % faster). Behind a
    # pooler in transaction mode (PgBouncer < 1.21) set DATABASE_PREPARED_STATEMENTS=false.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
# Persistent connections on SQLite too: opening one (and its PRAGMAs) costs about 2 ms,
# more than most requests spend in their queries.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (fails open: a cache outage is logged, never an error page) -----------------

REDIS_URL = env.str("REDIS_URL", default="")
MEMCACHED_URL = env.str("MEMCACHED_URL", default="")
if REDIS_URL and MEMCACHED_URL:
    raise ImproperlyConfigured("Set REDIS_URL or MEMCACHED_URL, not both.")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "nexus",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "nexus.cache"
elif MEMCACHED_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": MEMCACHED_URL.removeprefix("memcached://").removeprefix("pymemcache://"),
            "KEY_PREFIX": "nexus",
            "OPTIONS": {"connect_timeout": 0.5, "timeout": 0.5, "ignore_exc": True, "no_delay": True},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "nexus"}}

# Rendered markup keyed by the very values it shows ({% cache ... using="fragments" %}): a
# key can never name outdated markup, so each process keeps its own, with no round trip.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "nexus-fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Tasks ------------------------------------------------------------------------------

# With a broker URL, outbox messages are published to Celery workers; without one they
# run in-process right after the transaction commits (the embedded default).
_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
NEXUS_TASKS_MODE = "celery" if _BROKER_URL else "inline"
NEXUS_BROKER_CONNECT_TIMEOUT = env.float("NEXUS_BROKER_CONNECT_TIMEOUT", default=2.0)
# Seconds between sweeps that publish outbox messages a broker outage left behind.
NEXUS_OUTBOX_SWEEP_SECONDS = env.int("NEXUS_OUTBOX_SWEEP_SECONDS", default=15)

if _BROKER_URL:
    CELERY_BROKER_URL = _BROKER_URL
    # Publisher confirms: a publish returns only once RabbitMQ holds the message.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"confirm_publish": True}
else:
    # The embedded default still runs scheduled jobs: `make run` starts a worker with
    # beat on kombu's filesystem transport under var/, so no server is needed.
    _QUEUE_DIR = VAR_DIR / "celery" / "queue"
    _QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_QUEUE_DIR),
        "data_folder_out": str(_QUEUE_DIR),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = NEXUS_BROKER_CONNECT_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="nexus")
# A task is acknowledged after it ran, and given back if its worker dies mid-task, so
# an interrupted task runs again (handlers are idempotent by key).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Hard limit well below RabbitMQ's 30-minute consumer timeout, which would otherwise
# close the channel under a task that hangs while holding an unacknowledged message.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "nexus.outbox.sweep", "schedule": float(NEXUS_OUTBOX_SWEEP_SECONDS)},
    # Traffic: today's and yesterday's aggregates, the anomaly scan of the hour that ended,
    # and retention (roll up, then delete raw rows past NEXUS_TRAFFIC_RETENTION_DAYS).
    "traffic-rollup": {"task": "nexus.traffic.rollup", "schedule": crontab(minute=2)},
    "traffic-anomaly-scan": {"task": "nexus.traffic.anomaly_scan", "schedule": crontab(minute=5)},
    "traffic-retention": {"task": "nexus.traffic.retention", "schedule": crontab(minute=30, hour=3)},
    # Digests of the period that just ended (UTC); a re-run sends nothing twice.
    "notifications-daily-digest": {
        "task": "nexus.notifications.digests",
        "schedule": crontab(minute=0, hour=6),
        "args": ["daily"],
    },
    "notifications-weekly-digest": {
        "task": "nexus.notifications.digests",
        "schedule": crontab(minute=15, hour=6, day_of_week="mon"),
        "args": ["weekly"],
    },
    "notifications-webhook-retry": {"task": "nexus.notifications.webhook_retry", "schedule": 30.0},
    "notifications-retention": {"task": "nexus.notifications.retention", "schedule": crontab(minute=45, hour=3)},
}

# --- E-mail -----------------------------------------------------------------------------

# EMAIL_URL expands to EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, ...
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nexus <nexus@localhost>")

# --- Notifications and webhooks ---------------------------------------------------------

# The address links in e-mails and webhook messages start with.
NEXUS_SITE_URL = env.str("NEXUS_SITE_URL", default="http://127.0.0.1:8000")
# How notifications are mailed to a user who never chose: instant, daily, weekly or off.
NEXUS_NOTIFICATIONS_DEFAULT_EMAIL = env.str("NEXUS_NOTIFICATIONS_DEFAULT_EMAIL", default="daily")
# Read notifications, the events no notification points at (and their webhook delivery
# logs) and digest records older than this are deleted nightly; unread ones are kept.
NEXUS_NOTIFICATION_RETENTION_DAYS = env.int("NEXUS_NOTIFICATION_RETENTION_DAYS", default=180)
NEXUS_WEBHOOK_TIMEOUT_SECONDS = env.float("NEXUS_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
NEXUS_WEBHOOK_CONNECT_SECONDS = env.float("NEXUS_WEBHOOK_CONNECT_SECONDS", default=3.0)
# Attempt n+1 waits base * 2^(n-1) seconds (capped); after the last, the delivery has failed.
NEXUS_WEBHOOK_MAX_ATTEMPTS = env.int("NEXUS_WEBHOOK_MAX_ATTEMPTS", default=6)
NEXUS_WEBHOOK_RETRY_BASE_SECONDS = env.int("NEXUS_WEBHOOK_RETRY_BASE_SECONDS", default=30)
NEXUS_WEBHOOK_RETRY_MAX_SECONDS = env.int("NEXUS_WEBHOOK_RETRY_MAX_SECONDS", default=3600)
# Failed attempts in a row after which a webhook is switched off and its owner told.
NEXUS_WEBHOOK_DISABLE_AFTER = env.int("NEXUS_WEBHOOK_DISABLE_AFTER", default=15)
# Networks (CIDR) webhooks may reach although they are not public, e.g. "10.0.0.0/8";
# everything else private, loopback or link-local is refused.
NEXUS_WEBHOOK_ALLOWED_NETWORKS = env.list("NEXUS_WEBHOOK_ALLOWED_NETWORKS", default=[])

# --- Auth -------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- CORS (frontend learners' clients) --------------------------------------------------

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|graphql)/.*$"
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "X-Request-ID"]

# --- REST -------------------------------------------------------------------------------

NEXUS_MAX_BODY_BYTES = env.int("NEXUS_MAX_BODY_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = NEXUS_MAX_BODY_BYTES
# An imported README (the request limit above still applies to uploads).
NEXUS_README_MAX_BYTES = env.int("NEXUS_README_MAX_BYTES", default=2 * 1024 * 1024)
# Comments and answers one user may post per minute (community); more is spam: 429.
NEXUS_COMMUNITY_POSTS_PER_MINUTE = env.int("NEXUS_COMMUNITY_POSTS_PER_MINUTE", default=30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "nexus.accounts.authentication.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "nexus.api.pagination.NexusCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "nexus.api.errors.exception_handler",
    # THROTTLE_ENABLED=false leaves limits to a proxy in front (and to `make bench`).
    "DEFAULT_THROTTLE_CLASSES": [
        "nexus.api.throttles.AnonRateThrottle",
        "nexus.api.throttles.SignedInRateThrottle",
        "nexus.api.throttles.ScopedRateThrottle",
    ]
    if env.bool("THROTTLE_ENABLED", default=True)
    else [],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="200/min"),
        "user": env.str("THROTTLE_USER", default="600/min"),
        "auth": env.str("THROTTLE_AUTH", default="20/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Unused: the throttles identify clients by nexus.traffic.addresses.client_address,
    # which believes X-Forwarded-For only from NEXUS_TRUSTED_PROXIES.
    "NUM_PROXIES": 0,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Nexus API",
    "DESCRIPTION": (
        "The REST API of Nexus, the knowledge hub of a backend-engineering cohort. "
        "Authenticate with a JWT pair from `/api/v1/auth/token` (send `Authorization: Bearer <access>`); "
        'errors always have the shape `{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EntryStatusEnum": "nexus.knowledge.models.EntryStatus",
        "ProposalStatusEnum": "nexus.knowledge.models.ProposalStatus",
        "EventKindEnum": "nexus.notifications.models.EventKind",
        "WebhookDeliveryStatusEnum": "nexus.notifications.models.DeliveryStatus",
        "WebhookFormatEnum": "nexus.notifications.models.WebhookFormat",
        "NotificationReasonEnum": "nexus.notifications.models.NotificationReason",
        "ReactionKindEnum": "nexus.community.models.ReactionKind",
        "EntryKindEnum": "nexus.knowledge.models.EntryKind",
        "CollaborationRequestStatusEnum": "nexus.community.models.RequestStatus",
    },
}

# --- GraphQL ----------------------------------------------------------------------------

GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=8)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", default=15)
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", default=2000)
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=True)
GRAPHQL_GRAPHIQL = env.bool("GRAPHQL_GRAPHIQL", default=True)

# --- Static files -----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "nexus.core.static_storage.StaticStorage"},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security ---------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "nexus.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    # Behind a TLS-terminating proxy; set SECURE_SSL_REDIRECT=false only when the proxy
    # already redirects plain HTTP.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Traffic: request log, IP rules, rate limits, lockout, anomalies (docs/operations.md) --

# Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated);
# from anyone else the header is ignored and the socket's peer is the client.
NEXUS_TRUSTED_PROXIES = env.list("NEXUS_TRUSTED_PROXIES", default=[])
# The request log: rows are buffered per process and written in bulk.
NEXUS_TRAFFIC_LOG = env.bool("NEXUS_TRAFFIC_LOG", default=True)
NEXUS_TRAFFIC_FLUSH_SIZE = env.int("NEXUS_TRAFFIC_FLUSH_SIZE", default=200)
NEXUS_TRAFFIC_FLUSH_SECONDS = env.float("NEXUS_TRAFFIC_FLUSH_SECONDS", default=5.0)
NEXUS_TRAFFIC_BUFFER_MAX = env.int("NEXUS_TRAFFIC_BUFFER_MAX", default=10_000)
NEXUS_TRAFFIC_FLUSH_AT_EXIT = True
NEXUS_TRAFFIC_SKIP_PREFIXES = ["/static/", "/healthz", "/readyz", "/favicon.ico"]
NEXUS_TRAFFIC_RETENTION_DAYS = env.int("NEXUS_TRAFFIC_RETENTION_DAYS", default=30)
# Each process re-reads the cached rule set at most this often.
NEXUS_IP_RULES_REFRESH_SECONDS = env.float("NEXUS_IP_RULES_REFRESH_SECONDS", default=1.0)
# Rate limits (django-ratelimit counters in the cache). THROTTLE_ENABLED=false turns these
# and the API throttles off together (`make bench`, or a proxy that limits in front).
NEXUS_RATE_LIMITS_ENABLED = env.bool("THROTTLE_ENABLED", default=True)
NEXUS_RATE_ANON = env.str("NEXUS_RATE_ANON", default="200/m")
NEXUS_RATE_ANON_BURST = env.str("NEXUS_RATE_ANON_BURST", default="50/10s")
NEXUS_RATE_USER = env.str("NEXUS_RATE_USER", default="600/m")
NEXUS_RATE_AUTH = env.str("NEXUS_RATE_AUTH", default="10/m")
NEXUS_RATE_AUTH_ROUTES = [
    "accounts:login",
    "accounts:signup",
    "accounts:password-reset",
    "api:v1:auth-token",
    "api:v1:auth-token-refresh",
    "api:v1:auth-register",
]
# GraphQL spends a query's cost (its selected fields) from this budget per client.
NEXUS_RATE_GRAPHQL_COST = env.str("NEXUS_RATE_GRAPHQL_COST", default="5000/m")
# Redis down: counters cannot be read, so limits stop applying (fail open) and the site
# keeps serving; the lockout fails open too. Documented in docs/operations.md.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_ENABLE = NEXUS_RATE_LIMITS_ENABLED
# Sign-in lockout: failures per account and per address within the window lock sign-in.
NEXUS_LOCKOUT_ACCOUNT_FAILURES = env.int("NEXUS_LOCKOUT_ACCOUNT_FAILURES", default=5)
NEXUS_LOCKOUT_ADDRESS_FAILURES = env.int("NEXUS_LOCKOUT_ADDRESS_FAILURES", default=20)
NEXUS_LOCKOUT_MINUTES = env.int("NEXUS_LOCKOUT_MINUTES", default=15)
AUTHENTICATION_BACKENDS = ["nexus.traffic.backends.LockoutModelBackend"]
# Anomaly detection over the hour that ended (beat at minute 5, or nexus_scan_anomalies).
NEXUS_ANOMALY_VOLUME_MIN = env.int("NEXUS_ANOMALY_VOLUME_MIN", default=600)
NEXUS_ANOMALY_VOLUME_FACTOR = env.float("NEXUS_ANOMALY_VOLUME_FACTOR", default=10.0)
NEXUS_ANOMALY_ERRORS = env.int("NEXUS_ANOMALY_ERRORS", default=100)
NEXUS_ANOMALY_PROBES = env.int("NEXUS_ANOMALY_PROBES", default=5)
NEXUS_ANOMALY_FAILED_LOGINS = env.int("NEXUS_ANOMALY_FAILED_LOGINS", default=10)
NEXUS_ANOMALY_SENSITIVE_PATHS = [
    "/admin",
    "/.env",
    "/.git",
    "/wp-login.php",
    "/wp-admin",
    "/xmlrpc.php",
    "/phpmyadmin",
    "/.aws",
    "/server-status",
    "/actuator",
    "/config.php",
]
NEXUS_ANOMALY_AUTO_BLOCK = env.bool("NEXUS_ANOMALY_AUTO_BLOCK", default=False)
NEXUS_ANOMALY_BLOCK_HOURS = env.int("NEXUS_ANOMALY_BLOCK_HOURS", default=24)

# Content-Security-Policy (django-csp). Scripts are our own static files; htmx's hx-on
# handlers need 'unsafe-eval', and Mermaid and htmx inject <style> elements. The API docs
# and GraphiQL load their own inline scripts and are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/", "/api/redoc/", "/graphql/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Logging: JSON lines with a request id in production --------------------------------

LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'text', not {LOG_FORMAT!r}.")
# One line per request from RequestIdMiddleware (method, route, status, duration).
NEXUS_LOG_REQUESTS = env.bool("NEXUS_LOG_REQUESTS", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "nexus.core.request_id.RequestIdLogFilter"},
        "cache_outage": {"()": "nexus.core.cache_log.CacheOutageLogFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # Our request line replaces Django's own 4xx warnings.
        "django.request": {"level": "ERROR"},
        "nexus.cache": {"filters": ["cache_outage"]},
    },
}

NEXUS_ENVIRONMENT = NEXUS_ENV
NEXUS_BENCH_ENDPOINTS = env.bool("NEXUS_BENCH_ENDPOINTS", default=False)
