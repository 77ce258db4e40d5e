"""Settings shared by every environment.

Everything that differs between a laptop and production comes from environment variables, with
zero-setup defaults (SQLite, an in-process cache) so that `make run` needs nothing else.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY",
    # Only for local development; production must set DJANGO_SECRET_KEY (check --deploy says so).
    "django-insecure-local-development-key-change-me-0123456789abcdef",
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Absolute base URL used in QR codes and links that leave the browser (posters, exports).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "simple_history",
    "config.axes_app.AxesConfig",
    "huey.contrib.djhuey",
    "common",
    "accounts",
    "jobs",
    "messaging",
    "rounds",
    "registration",
    "eligibility",
    "courses",
    "fees",
    "workspace",
    "payments",
    "exams",
    "results",
    "archive",
]

MIDDLEWARE = [
    # Real client addresses behind nginx (DJANGO_TRUSTED_PROXIES), before anything reads them.
    "config.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # NUL characters in a URL get a 400 before any query sees them (PostgreSQL refuses NUL).
    "common.middleware.NulByteMiddleware",
    # HEAD as GET, other methods than GET/HEAD/POST a 405, undecodable input a 400.
    "common.middleware.OddInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Bodies over MAX_REQUEST_BODY_BYTES get a 413 before they are read.
    "config.middleware.RequestSizeLimitMiddleware",
    # A friendly Chinese 503 page with Retry-After when PostgreSQL is unreachable.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Staff sessions end with the browser and when idle; staff pages are never stored.
    "config.middleware.StaffSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the history tables (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # django-axes documents its middleware as the last one.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            # The one money filter ({{ amount|yuan }}) needs no {% load %} anywhere.
            "builtins": ["common.templatetags.money"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` must hold a classroom signing up at once. Without these, concurrent writers get
    # "database is locked" (HTTP 500): IMMEDIATE takes the write lock when a transaction begins
    # (no deadlocking lock upgrade), the timeout lets writers queue for it, and WAL lets readers
    # read while one writes. PostgreSQL stays the production engine.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("SQLITE_TIMEOUT_SECONDS", "20")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, reusing one client object per pool (config/redis_cache.py).
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Separate prefixes let several deployments (or test runs) share one Redis.
            "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "kwt"),
            # Fail fast when Redis is unreachable: callers fall back (rate limits allow, sessions
            # read the database), so a short timeout costs little and a long one stalls workers.
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.5")),
                "retry_on_timeout": False,
            },
        },
    }
    # Rate-limit counters in a cache alias of their own. The page cache's keys are bounded (path
    # plus an allow-list of query parameters), so it cannot flood Redis; for a hard guarantee,
    # RATELIMIT_REDIS_URL names a Redis instance with maxmemory-policy noeviction (eviction is
    # per instance, so another database of the same instance does not help). Default: the same
    # Redis under another key prefix. docs/caching.md.
    CACHES["ratelimit"] = {
        **CACHES["default"],
        "LOCATION": os.environ.get("RATELIMIT_REDIS_URL", REDIS_URL),
        "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "kwt") + "-ratelimit",
    }
    # Sessions in the database, read through Redis; config/sessions.py says why not cache-only.
    SESSION_ENGINE = "config.sessions"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Its own store: culling the page cache (300 entries) never drops a rate-limit counter.
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Failed logins are throttled by django-axes: its backend must come first so that a locked-out
# username/address is refused before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Lock an account *from one address* after 5 failures there: a campus sits behind one shared
# address, so locking the whole address would let any student lock out every staff member, and
# locking the account everywhere would let anyone lock out a known account name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Retries during a lock-out do not restart the 15 minutes (a locked user can wait it out).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/login_locked.html"

# History is evidence: it is shown in admin but never reverted or edited from there.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Chinese for third-party admin screens that ship none (django-axes): see locale/zh_Hans.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Upper bound of one fee item's amount, in yuan (admin refuses more).
FEE_MAX_AMOUNT = Decimal(os.environ.get("FEE_MAX_AMOUNT", "10000"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (candidate photos). Never served as static files or under MEDIA_URL: photos are
# served only by views that check access (registration.photos). Several nodes: see docs/exams.md.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "private", "base_url": "/no-public-url/"},
    },
    # Archive exports of finished rounds (archive app): private too, served only to 教务.
    "archives": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "archives", "base_url": "/no-public-url/"},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# A Chinese page that keeps what the student typed (registration.views.errors.csrf_failure).
CSRF_FAILURE_VIEW = "registration.views.errors.csrf_failure"

# Security headers. Pages carry no inline script or style, so a strict policy holds.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A signed-in (staff) session ends when the browser closes and after this many idle minutes
# (config.middleware.StaffSessionMiddleware); anonymous sessions keep Django's defaults.
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "120"))
CSRF_COOKIE_HTTPONLY = False
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # blob: lets the 补充资料 page preview the chosen photo before it is uploaded.
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Per client address. A whole year group may share one campus NAT address, so the limits are set
# for that crowd (thousands of students in the ten minutes after QR codes go up) and only stop
# scripted probing. Lookup failures are also limited per ID number (registration.views.student).
SIGNUP_RATE_LIMIT = int(os.environ.get("SIGNUP_RATE_LIMIT", "3000"))  # sign-up posts / 10 min
ELIGIBILITY_API_RATE_LIMIT = int(os.environ.get("ELIGIBILITY_API_RATE_LIMIT", "600"))  # / minute
# Seconds an anonymous visitor may see a cached announcement page or blank sign-up form.
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "30"))
FORM_FRAGMENT_CACHE_SECONDS = int(os.environ.get("FORM_FRAGMENT_CACHE_SECONDS", "60"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Whole request bodies, files included: the largest legitimate one is a 5 MB payment list.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("DJANGO_MAX_REQUEST_BODY_BYTES", str(6 * 1024 * 1024)))

# Production behind a TLS-terminating reverse proxy (docs/deployment.md): DJANGO_SECURE=true.
# Off by default so that `make run` and the tests work over plain HTTP.
SECURE = env_bool("DJANGO_SECURE", default=False)
# Addresses or networks of the reverse proxies whose X-Forwarded-For is believed (comma-separated).
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
if SECURE:
    SECURE_SSL_REDIRECT = True
    # The proxy must overwrite (not append to) this header; nginx: proxy_set_header
    # X-Forwarded-Proto $scheme. Load balancers probe /healthz over plain HTTP.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment for a whole registrable domain (usually the college's, not
        # ours) and only takes effect once submitted to the browsers' list: opt in explicitly.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The task queue (Huey, docs/tasks.md): long jobs and message delivery run in a worker process
# (`manage.py run_huey`), never inside a web request. Production: Redis, the one the cache uses
# (TASKS_REDIS_URL overrides it). Without Redis (`make run`) the queue is a SQLite file that the
# same worker command drains; `make run` starts that worker beside runserver.
TASKS_REDIS_URL = os.environ.get("TASKS_REDIS_URL", REDIS_URL)
TASKS_SQLITE_PATH = os.environ.get("TASKS_SQLITE_PATH", str(BASE_DIR / "tasks.sqlite3"))
HUEY = {
    "name": os.environ.get(
        "TASKS_QUEUE_NAME", os.environ.get("REDIS_KEY_PREFIX", "kwt") + "-tasks"
    ),
    "immediate": env_bool("TASKS_IMMEDIATE", default=False),
    "utc": True,
    "consumer": {"workers": int(os.environ.get("TASKS_WORKERS", "2")), "worker_type": "thread"},
}
if TASKS_REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": TASKS_REDIS_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": TASKS_SQLITE_PATH}

# Messages (messaging app, docs/messaging.md). E-mail goes through Django's backends: console for
# `make run`, SMTP in production (DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kaowutong@localhost")
# SMS through Aliyun's SendSms API (messaging/channels.py); off unless SMS_ACCESS_KEY_ID is set.
SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_ACCESS_KEY_ID = os.environ.get("SMS_ACCESS_KEY_ID", "")
SMS_ACCESS_KEY_SECRET = os.environ.get("SMS_ACCESS_KEY_SECRET", "")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
# No SMS between these hours, Asia/Shanghai ("22-8"; empty: none, for tests only).
SMS_QUIET_HOURS = os.environ.get("SMS_QUIET_HOURS", "22-8")
SMS_RATE_PER_SECOND = int(os.environ.get("SMS_RATE_PER_SECOND", "10"))
EMAIL_RATE_PER_SECOND = int(os.environ.get("EMAIL_RATE_PER_SECOND", "20"))
MESSAGE_MAX_ATTEMPTS = int(os.environ.get("MESSAGE_MAX_ATTEMPTS", "5"))
MESSAGE_RETRY_SECONDS = int(os.environ.get("MESSAGE_RETRY_SECONDS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One JSON object per line with ID numbers, phones and self-service tokens scrubbed.
        "json": {"()": "config.logs.JsonFormatter"},
    },
    # Django logs 4xx paths ("Not Found: /me/<pk>/<token>/"): scrub whatever the format.
    "filters": {
        "scrub": {"()": "config.logs.ScrubFilter"},
        "one_line_warning": {"()": "config.logs.OneLineWarningFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["scrub"],
            # DJANGO_LOG_FORMAT=json in production (docs/deployment.md).
            "formatter": os.environ.get("DJANGO_LOG_FORMAT", "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own defaults give "django" (with DEBUG) and "django.server" (runserver's
        # access lines) handlers of their own that do not scrub: none here, so every record
        # reaches the root's scrubbing console handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # Request logs would carry query strings; personal data never goes in URLs, but keep
        # django.request at WARNING so bodies are never echoed.
        "django.request": {"level": "WARNING"},
        # An unknown Host header is one warning line, not an ERROR with a traceback.
        "django.security.DisallowedHost": {"filters": ["one_line_warning"]},
    },
}
