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
# The development key is public (it is in this file): sessions, CSRF tokens and signed links made
# with it can be forged by anyone, so it is used only with DEBUG on. With DEBUG off and no
# DJANGO_SECRET_KEY the key is empty: config/wsgi.py then refuses to start (gunicorn, runserver),
# and anything else that needs the key fails with Django's ImproperlyConfigured. Commands that
# sign nothing (migrate, makemigrations) still run.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-change-me-0123456789abcdef"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip() or (
    DEVELOPMENT_SECRET_KEY if DEBUG else ""
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
    "config.device_cookies_app.DeviceCookiesConfig",
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
    # Sets the device cookie of a browser that signed in (accounts/login_throttle.py).
    "django_device_cookies.middleware.DeviceCookieMiddleware",
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
                "accounts.context_processors.navigation",
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

# Sessions live in the database only (Django's default engine), with or without Redis. Only staff
# have sessions (students' CSRF and messages are cookies), one indexed read per staff request.
# They were read through Redis before: a logout while Redis did not answer deleted the row but
# not the cached copy, and other nodes kept the session (tests/production/test_logout.py).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Failed staff sign-ins (the workspace login and Django admin alike) follow OWASP's device-cookie
# scheme (accounts/login_throttle.py, docs/security.md "Staff sign-in"):
# - A browser that signed in to an account before carries a signed device cookie for it and
#   keeps its own failure counter: DEVICE_COOKIE_ATTEMPTS_PER_PERIOD failures in the last
#   DEVICE_COOKIE_PERIOD lock that browser (for that account) only; nobody elsewhere can lock it.
# - All other browsers share one counter per account, with the same numbers.
# - Failures from browsers without a device cookie are also counted per client address across
#   accounts (django-axes): AXES_FAILURE_LIMIT of them, each within AXES_COOLOFF_TIME of the
#   previous one, lock that address for unknown browsers until AXES_COOLOFF_TIME after the last.
# A locked attempt is never counted, so retrying during a lock-out does not extend it; the lock
# page says what is locked and until when. The device-cookie backend comes first so that a
# locked browser is refused before the password is checked; django-axes's comes next.
AUTHENTICATION_BACKENDS = [
    "accounts.login_throttle.DeviceCookieBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
DEVICE_COOKIE_NAME = "kwt_device"
DEVICE_COOKIE_PERIOD = timedelta(minutes=15)
DEVICE_COOKIE_ATTEMPTS_PER_PERIOD = 5
DEVICE_COOKIE_MAX_AGE = timedelta(days=365)
# Office PCs are shared: every account that signed in on a browser stays trusted on it.
DEVICE_COOKIE_PER_USER = True
# A stolen device cookie gives its holder at most this many guesses over its whole life.
DEVICE_COOKIE_REVOKE_AFTER_FAILURES = 50
# Tell a locked-out user so (the lock page), instead of failing like a wrong password.
DEVICE_COOKIE_HIDE_LOCKOUTS = False
AXES_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
# The client address every other limit uses (REMOTE_ADDR, rewritten only for trusted proxies by
# config.middleware.TrustedProxyMiddleware): never a client-written X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "accounts.login_throttle.client_address"
# Browsers with a device cookie for the account they sign in to are neither counted nor locked
# per address: a student spraying passwords from the campus address never locks out an office.
AXES_WHITELIST_CALLABLE = "accounts.login_throttle.known_browser"
# Retries during a lock-out are not counted and do not restart the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False  # one account signing in says nothing about the address's others
AXES_LOCKOUT_CALLABLE = "accounts.login_throttle.address_lockout_response"

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

# Sign-up limits are keyed on what is attacked (registration/ratelimits.py, docs/security.md):
# sign-up POSTs per class link (or the social form) from all addresses together, per 10 minutes;
# a class of 60 with typos sends about 150.
SIGNUP_RATE_LIMIT_PER_LINK = int(os.environ.get("SIGNUP_RATE_LIMIT_PER_LINK", "600"))
# Sign-up POSTs per client address per 10 minutes: a backstop that slows, never blocks. A campus
# NAT address may carry 2,000 students in ten minutes (about 5,000 POSTs with typos); past this
# number each link takes at most 200 POSTs from that address in the window, so the first sign-up
# of another class always goes through.
SIGNUP_RATE_LIMIT = int(os.environ.get("SIGNUP_RATE_LIMIT", "10000"))
ELIGIBILITY_API_RATE_LIMIT = int(os.environ.get("ELIGIBILITY_API_RATE_LIMIT", "600"))  # / minute
# Seconds an anonymous visitor may see a cached announcement page or blank sign-up form.
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "30"))
FORM_FRAGMENT_CACHE_SECONDS = int(os.environ.get("FORM_FRAGMENT_CACHE_SECONDS", "60"))

# The one upload limit, in MB: the largest request body anyone may send, files included. A
# 48 MP phone JPEG is about 12 MB. Stated only here: the photo page and its script, the 413 page
# (config.middleware.RequestSizeLimitMiddleware), the photo check (registration.photos) read it;
# nginx's shipped client_max_body_size (scripts/nginx/kaowutong-http.conf) must say the same
# (system check kaowutong.W001) and docs/deployment.md tells it.
UPLOAD_MAX_MB = int(os.environ.get("DJANGO_UPLOAD_MAX_MB", "16"))
MAX_REQUEST_BODY_BYTES = UPLOAD_MAX_MB * 1024 * 1024
# Form fields other than files (a 400 above it); files above FILE_UPLOAD_MAX_MEMORY_SIZE are
# streamed to a temporary file rather than held in memory while the body is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Image decodes running at once in one process (registration.photos): each may take up to 64 MB,
# so a node holds at most workers × this many. An upload that finds no free slot within
# PHOTO_DECODE_WAIT_SECONDS gets "系统繁忙，请稍后重试" on its form (HTTP 503).
PHOTO_DECODES_AT_ONCE = int(os.environ.get("PHOTO_DECODES_AT_ONCE", "1"))
PHOTO_DECODE_WAIT_SECONDS = float(os.environ.get("PHOTO_DECODE_WAIT_SECONDS", "10"))

# Production behind a TLS-terminating reverse proxy (docs/deployment.md): DJANGO_SECURE=true.
# Off by default so that `make run` and the tests work over plain HTTP.
SECURE = env_bool("DJANGO_SECURE", default=False)
# Addresses or networks of the reverse proxies whose X-Forwarded-For is believed (comma-separated).
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
# The device cookie of a staff browser follows the session cookie: HTTPS-only behind TLS.
DEVICE_COOKIE_SECURE = SECURE
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
