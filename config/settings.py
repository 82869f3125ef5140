"""Settings for the sister-city record, read from the environment.

Every value has a safe default for a first run on a laptop (SQLite under var/,
DEBUG on, a development key). Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS
and DATABASE_URL; without a SECRET_KEY it refuses to start.
"""

import os
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from common.build_key import build_key
from common.countries import countries_override

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip() else default


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105 (the DEBUG-only key; production must set its own)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First, so that the shell's templates (login, the axes lockout page, the history
    # list without its inline style) take the place of the packages' own.
    "workspace",
    "workspace.admin_apps.OfficeAdminConfig",  # django.contrib.admin, for administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, for the project form renderer
    "django_htmx",
    "django_countries",
    "simple_history",
    "import_export",
    "axes",
    "django_tasks_db",
    "common",
    "jobs",
    "partnerships",
    "agreements",
    "delegations",
    "sheets",
    "demo",
]

MIDDLEWARE = [
    # Benchmark only (BENCH_QUERY_COUNT=1); removes itself otherwise. See bench/README.md.
    "common.bench_query_count.BenchQueryCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.locale.OfficeLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # DEBUG on and DEBUG_ERROR_PAGES=0 (the demo): the app's error pages, not Django's debug ones.
    "common.error_pages.ErrorPagesInDebugMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
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
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Forms render through the project's field and form templates (common/forms/).
FORM_RENDERER = "common.forms_rendering.FormRenderer"

# SQLite under a git-ignored var/ folder is the zero-setup default; production and
# the test suite use PostgreSQL through DATABASE_URL (postgres://user@host/db).
DEFAULT_SQLITE = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or DEFAULT_SQLITE,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif not env_bool("DATABASE_JIT", default=False):
    # PostgreSQL's JIT compiler off (DATABASE_JIT=1 keeps the server's setting): every
    # query here reads a few indexed rows, and a misestimated one crossing jit_above_cost
    # spent seconds compiling what runs in a millisecond (the calendar's, issue 16; its
    # estimates grow with the data, so the risk grows with the archive).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# With DEBUG on, Django shows its debug pages for 404 and 500 (every URL pattern, the
# settings, the code); DEBUG_ERROR_PAGES=0 shows the app's own pages instead, as in
# production (scripts/demo.sh sets it). With DEBUG off the app's pages are always shown.
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", default=True)
# A refused form (an expired page, cookies off) gets the app's 403 page, in the shell.
CSRF_FAILURE_VIEW = "common.error_pages.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
# WhiteNoise serves from here; it exists (empty) before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Uploaded files are handed out only by views that check the user (common/file_delivery.py),
# never at a media URL. FILE_DELIVERY: "" (Django streams them), "x-accel-redirect" (nginx
# sends MEDIA_ROOT's file mapped under FILE_DELIVERY_PREFIX, an `internal` location) or
# "x-sendfile" (Apache mod_xsendfile, lighttpd). SECURITY.md, "Reverse proxy".
FILE_DELIVERY = os.environ.get("FILE_DELIVERY", "").strip().lower()
if FILE_DELIVERY not in {"", "x-accel-redirect", "x-sendfile"}:
    raise ImproperlyConfigured("FILE_DELIVERY must be empty, x-accel-redirect or x-sendfile.")
FILE_DELIVERY_PREFIX = os.environ.get("FILE_DELIVERY_PREFIX", "/internal-media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

# What is cached is keyed by the record's data version (workspace/freshness.py), so it is
# never served after a change. On disk, the cache is shared by the gunicorn workers of a
# host: the dashboard is computed once per change, not once per worker. The key prefix is
# a digest of the code that draws (common/build_key.py: the packages' Python, templates
# and data, the .mo files, uv.lock), read once here when a process starts (~7 ms): a
# release with another template, translation, migration or line of code never serves an
# older one's drawings, and processes running the same files (web and worker) share them.
CACHE_DIR = Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"))
CACHES = {
    "default": {
        # Django's file cache whose failures (read-only, full, missing folder) are misses,
        # logged once: the page is computed instead of failing (common/safe_cache.py).
        "BACKEND": "common.safe_cache.FailSafeFileBasedCache",
        "LOCATION": CACHE_DIR,
        "TIMEOUT": 3600,
        "KEY_PREFIX": build_key(BASE_DIR),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The record's own text (names, titles) is Vietnamese. Country names in Vietnamese
# come from a reviewed list (common/countries.py: django-countries' own has duplicates
# such as Iceland and Ireland both "Ai-len"); other languages keep django-countries'.
COUNTRIES_FIRST = ["VN"]
COUNTRIES_OVERRIDE = countries_override()

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Long work off the request (jobs/): a brief, a big import. The web request records a job
# and queues a task in the database (django-tasks-db, Django's own tasks framework); the
# worker (`manage.py db_worker`, scripts/worker.sh, the compose file's `worker` service)
# runs it and keeps the result under MEDIA_ROOT/private/ for the owner to download.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Jobs one person may have waiting or running at once (the rest is refused with a message).
JOBS_PER_USER = env_int("JOBS_PER_USER", 3)
# Days a finished job and its result file are kept before `prune_jobs` deletes them.
JOB_RESULT_DAYS = env_int("JOB_RESULT_DAYS", 7)
# A running job that has reported no progress for this long is taken for lost (its worker
# was killed): shown as failed and no longer counted against its owner's limit.
JOB_STALE_MINUTES = env_int("JOB_STALE_MINUTES", 30)
# Spreadsheet imports (preview and confirm) of files with more rows than this run in the
# background; smaller ones at once. Rows are counted in a .csv and estimated from the
# size of the others, on the high side (sheets/import_jobs.py).
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}


# --- Security (issue 7; SECURITY.md explains every switch) ------------------
# Production (DEBUG off) is secure by default; each switch can be turned off
# through the environment for a deployment that really needs it.

# HTTPS. Behind a reverse proxy that terminates TLS, set BEHIND_PROXY=1: Django
# then trusts the proxy's X-Forwarded-Proto (the proxy must overwrite it, never
# pass on the client's) and axes takes the client address from X-Forwarded-For.
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health probe speaks plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading binds the whole registered domain (the city's, not only this app)
# to HTTPS for years; that is the domain owner's decision, so it is off unless
# asked for, and check --deploy's reminder about it (W021) is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Covering indexes (``include=``) are PostgreSQL's; on the SQLite first-run default Django
# builds the same indexes without the extra columns, which only costs speed.
SILENCED_SYSTEM_CHECKS += ["models.W040"]

# After this many requests a worker freezes its long-lived objects out of the garbage
# collector's full passes (common/gcfreeze.py); 0 turns it off.
GC_FREEZE_AFTER_REQUESTS = int(os.environ.get("GC_FREEZE_AFTER_REQUESTS", "50"))

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cookies: HTTPS only in production, never readable by scripts (htmx sends the
# CSRF token from the page, not from the cookie), not sent on cross-site posts.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A session ends after SESSION_IDLE_HOURS without a request (every request
# pushes the expiry on) and when the browser closes: office computers are shared.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_HOURS", 8) * 3600
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# Content-Security-Policy: everything from this site's own static files; no
# inline scripts or styles, no eval, no plugins, no framing, no foreign forms.
# CSP_REPORT_ONLY=1 sends the same policy as report-only (for trying a change).
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CSP: dict[str, list[str]]
SECURE_CSP_REPORT_ONLY: dict[str, list[str]]
if env_bool("CSP_REPORT_ONLY", default=False):
    SECURE_CSP = {}
    SECURE_CSP_REPORT_ONLY = CONTENT_SECURITY_POLICY
else:
    SECURE_CSP = CONTENT_SECURITY_POLICY
    SECURE_CSP_REPORT_ONLY = {}

# Login throttling (django-axes): AXES_FAILURE_LIMIT failed logins for one
# account, or from one address, lock it for AXES_COOLOFF_MINUTES; attempts during
# the lockout are refused (even with the right password) and restart the wait.
# AXES_LOCKOUT_PARAMETERS lists what is counted, comma-separated; join names
# with "+" to count a combination (e.g. "username+ip_address" when the whole
# office shares one public address).
AUTHENTICATION_BACKENDS = [
    "common.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [
    part.split("+") if "+" in part else part
    for part in env_list("AXES_LOCKOUT_PARAMETERS", ["username", "ip_address"])
]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = HTTPStatus.TOO_MANY_REQUESTS  # axes' default, named
AXES_CLIENT_IP_CALLABLE = "common.security.client_ip"
AXES_LOCKOUT_CALLABLE = "common.security.lockout_response"

# Fixtures and the JSON export of `manage.py backup --format json` keep
# datetimes to the microsecond (Django's encoder cuts them to milliseconds).
SERIALIZATION_MODULES = {"json": "common.exact_json_serializer"}

# E-mail (the reminder digests of ``manage.py send_reminders``): an SMTP server from the
# environment, as Django's MAILERS. Without EMAIL_HOST: printed on the console while
# DEBUG is on, sent through the host's own mail server (localhost:25) otherwise.
_EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _EMAIL_HOST or "localhost",
            "port": env_int("EMAIL_PORT", 25),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
            "timeout": env_int("EMAIL_TIMEOUT", 30),
        },
    }
    if _EMAIL_HOST or not DEBUG
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sister-cities@localhost")
# The address staff open the app at: the links in e-mails (nothing else knows it there).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The annual report's number ("12/BC-SNV"; empty: left blank to be filled in), place and
# signer (workspace/annual_report.py); the annual_report command's options override them.
REPORT_NUMBER = os.environ.get("REPORT_NUMBER", "")
REPORT_PLACE = os.environ.get("REPORT_PLACE", "")
REPORT_SIGNER_TITLE = os.environ.get("REPORT_SIGNER_TITLE", "")
REPORT_SIGNER_NAME = os.environ.get("REPORT_SIGNER_NAME", "")
