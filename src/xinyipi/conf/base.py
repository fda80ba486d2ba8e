"""Settings shared by every environment. Values from the environment come only through ``env``."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from xinyipi.conf import env

BASE_DIR = env.BASE_DIR
PACKAGE_DIR = Path(__file__).resolve().parents[1]

ENVIRONMENT = env.environment()
SECRET_KEY = env.get("SECRET_KEY")
DEBUG = env.flag("DEBUG", default=ENVIRONMENT == "development")
ALLOWED_HOSTS = env.listing("ALLOWED_HOSTS")
FIELD_KEY = env.get("XINYIPI_FIELD_KEY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "xinyipi.core",
    "xinyipi.api",
    "xinyipi.accounts",
    "xinyipi.audit",
    "xinyipi.workdays",
    "xinyipi.subjects",
    "xinyipi.catalog",
    "xinyipi.records",
    "xinyipi.supervision",
    "xinyipi.credit",
    "xinyipi.applications",
    "xinyipi.licences",
    "xinyipi.notifications",
    "xinyipi.bookings",
    "xinyipi.stats",
    "xinyipi.ratings",
    "xinyipi.portal",
    "xinyipi.console",
    "xinyipi.ops",
]

MIDDLEWARE = [
    "xinyipi.ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the process itself (hashed names, gzip and Brotli copies, far-future cache): one
    # machine needs no web server in front (docs/deployment.md).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xinyipi.core.csp.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xinyipi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "xinyipi.api.middleware.ClientInputMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xinyipi.accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinyipi.urls"
WSGI_APPLICATION = "xinyipi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinyipi.console.navigation.context",
            ],
        },
    }
]


# SQLite: the page size of a new database file (8 KiB: a commit writes every page it touched into the WAL, so
# a credit check costs a fifth less than with 16 KiB pages, while a bulk merge of a credit list still writes
# fewer bytes and system calls than with the default 4 KiB; an existing file keeps its size, see
# docs/performance.md), the WAL size in pages (80 MiB of 8 KiB pages) at which a committing connection
# checkpoints by itself — rarely, since the worker checkpoints every few seconds (core/database.py) — and the
# size the WAL file is cut back to once a checkpoint emptied it.
SQLITE_PAGE_SIZE = 8 * 1024
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000
SQLITE_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
# Memory-mapped reads of the database file. In WAL mode a connection drops its page cache whenever another
# process has written since its last transaction — with two or more web workers, nearly every transaction —
# and reads its pages again: through the mapping a page is the operating system's cached copy, with no
# system call nor copy (a web worker's time per instant approval fell by about 5 %, docs/performance.md).
# SQLite maps at most 2 GiB − 64 KiB; pages beyond are read as before.
SQLITE_MMAP_SIZE = min(env.integer("XINYIPI_SQLITE_MMAP_MIB") * 1024 * 1024, 0x7FFF0000)


def _database() -> dict:
    # Persistent connections on both databases: a request then pays neither the connection nor (SQLite) the
    # pragmas of ``init_command``, which run once per connection; a reused connection is checked first.
    config = dj_database_url.parse(
        env.get("DATABASE_URL"), conn_max_age=env.integer("XINYIPI_DB_CONN_MAX_AGE"), conn_health_checks=True
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "xinyipi.core.backends.sqlite3"  # writers queue on a file lock (core/backends)
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
            # writers queue (on the file lock, core/backends) instead of failing with "database is locked" on
            # upgrade; the timeout bounds the wait for a writer that bypasses the file lock.
            # Checkpoints: rare on the request path, bounded without a worker (core/database.py).
            # The page size first: it only takes effect on a file that has no table yet, and not once in WAL mode.
            "init_command": f"PRAGMA page_size={SQLITE_PAGE_SIZE}; "
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}; "
            f"PRAGMA journal_size_limit={SQLITE_JOURNAL_SIZE_LIMIT}; PRAGMA mmap_size={SQLITE_MMAP_SIZE};",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.integer("XINYIPI_SQLITE_TIMEOUT"),
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["ENGINE"] = "xinyipi.core.backends.postgresql"  # a reused connection checked without a round trip
        # Parameters bound on the server, and a statement a connection has run ``prepare_threshold`` times kept
        # prepared: PostgreSQL then neither parses nor plans it again (a third of its work in a filing).
        threshold = env.integer("XINYIPI_PG_PREPARE_THRESHOLD")
        config.setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=threshold if threshold > 0 else None
        )
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "xinyipi.accounts.passwords.MinimumLengthValidator"},  # a message Django 5.2 leaves untranslated
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Two locks against guessing (docs/configuration.md, "Login throttling"): one user name from one address
# (axes' own lock), and one address whatever the user names (password spraying). Axes has one failure limit
# for all its lockout parameters, so the address lock is counted by our handler over axes' attempt rows with
# its own, higher limit: a hall of clerks behind one address must not lock itself out at five typos.
AXES_FAILURE_LIMIT = env.integer("XINYIPI_LOGIN_FAILURE_LIMIT")
LOGIN_ADDRESS_FAILURE_LIMIT = env.integer("XINYIPI_LOGIN_ADDRESS_FAILURE_LIMIT")
AXES_COOLOFF_TIME = env.integer("XINYIPI_LOGIN_COOLOFF_MINUTES") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "xinyipi.accounts.lockout.AddressThrottleHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "xinyipi.accounts.lockout.lockout_response"
AXES_VERBOSE = False

API_TOKEN_HOURS = env.integer("XINYIPI_TOKEN_HOURS")

# Second factor (TOTP, django-otp) for the staff who administer: superusers and whoever may change users.
STAFF_OTP_REQUIRED = env.flag("XINYIPI_STAFF_OTP_REQUIRED", default=ENVIRONMENT == "production")
OTP_TOTP_ISSUER = "信易批"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = env.get("XINYIPI_STATIC_ROOT")
# WhiteNoise looks here from the first request on (``collectstatic`` fills it; ``make serve`` runs it).
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env.get("XINYIPI_MEDIA_ROOT")
MEDIA_URL = "/media/"


def _media_storage() -> dict:
    """Uploaded and issued files: a directory (on one machine, or shared by every web host and worker), or an
    S3-compatible bucket through django-storages when several hosts share no file system."""
    kind = env.get("XINYIPI_MEDIA_STORAGE").strip().lower()
    if kind == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.get("XINYIPI_S3_BUCKET"),
                "endpoint_url": env.get("XINYIPI_S3_ENDPOINT_URL") or None,
                "access_key": env.get("XINYIPI_S3_ACCESS_KEY"),
                "secret_key": env.get("XINYIPI_S3_SECRET_KEY"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    if kind != "filesystem":
        raise ImproperlyConfigured("XINYIPI_MEDIA_STORAGE must be filesystem or s3")
    return {"BACKEND": "django.core.files.storage.FileSystemStorage"}


STORAGES = {
    "default": _media_storage(),
    # Hashed names (so a file can be cached for a year) with compressed copies, written by collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.flag("XINYIPI_SECURE_COOKIES", default=ENVIRONMENT == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# One JSON object per line (``XINYIPI_LOG_FORMAT=plain`` for a terminal): a line per request and per domain
# event (``xinyipi.ops.logs``); ID numbers masked whatever logger writes; the task queue's per-task lines at DEBUG.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "xinyipi.ops.logs.RedactIdNumbers"},
        "tasks_at_debug": {"()": "xinyipi.ops.logs.TaskLinesAtDebug"},
    },
    "formatters": {
        "json": {"()": "xinyipi.ops.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if env.get("XINYIPI_LOG_FORMAT").strip().lower() == "plain" else "json",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.get("XINYIPI_LOG_LEVEL")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django_tasks": {"filters": ["tasks_at_debug"]},
        "django_tasks_db": {"filters": ["tasks_at_debug"]},
        # The request line replaces Django's own line for 4xx/5xx answers (a 500 is still logged with its
        # traceback by django.request at ERROR).
        "django.server": {"level": "WARNING"},
    },
}

# Health and metrics (docs/deployment.md, "Health and metrics").
READINESS = {
    "HEARTBEAT_SECONDS": float(env.get("XINYIPI_READY_HEARTBEAT_SECONDS")),
    "OUTBOX_SECONDS": float(env.get("XINYIPI_READY_OUTBOX_SECONDS")),
}
METRICS = {"TOKEN": env.get("XINYIPI_METRICS_TOKEN"), "MULTIPROC_DIR": env.get("PROMETHEUS_MULTIPROC_DIR")}

# Notifications: outbox rows delivered by the worker (docs/architecture.md, "Background work").
NOTIFICATIONS = {
    "SMS_GATEWAY_URL": env.get("XINYIPI_SMS_GATEWAY_URL"),
    "SMS_GATEWAY_TOKEN": env.get("XINYIPI_SMS_GATEWAY_TOKEN"),
    "SMS_TIMEOUT_SECONDS": float(env.get("XINYIPI_SMS_TIMEOUT_SECONDS")),
    "SMS_SIGNATURE": env.get("XINYIPI_SMS_SIGNATURE"),
    "MAX_ATTEMPTS": env.integer("XINYIPI_OUTBOX_MAX_ATTEMPTS"),
    "BACKOFF_SECONDS": float(env.get("XINYIPI_OUTBOX_BACKOFF_SECONDS")),
    "BACKOFF_FACTOR": float(env.get("XINYIPI_OUTBOX_BACKOFF_FACTOR")),
    "BACKOFF_MAX_SECONDS": float(env.get("XINYIPI_OUTBOX_BACKOFF_MAX_SECONDS")),
    "LEASE_SECONDS": float(env.get("XINYIPI_OUTBOX_LEASE_SECONDS")),
    "BATCH": env.integer("XINYIPI_OUTBOX_BATCH"),
    "POLL_SECONDS": float(env.get("XINYIPI_OUTBOX_POLL_SECONDS")),
    "TASK_RESULTS_KEEP_DAYS": env.integer("XINYIPI_TASK_RESULTS_KEEP_DAYS"),
}
EMAIL_HOST = env.get("XINYIPI_EMAIL_HOST")
EMAIL_PORT = env.integer("XINYIPI_EMAIL_PORT")
EMAIL_HOST_USER = env.get("XINYIPI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env.get("XINYIPI_EMAIL_PASSWORD")
EMAIL_USE_TLS = env.flag("XINYIPI_EMAIL_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.get("XINYIPI_EMAIL_FROM")

# Credit sources (R2): a source with an empty URL takes no part in checks (the card registry then falls
# back to the local card table). Each source may override any CREDIT_HTTP value in its own entry.
CREDIT_SOURCES = {
    "enterprise_publicity": {"url": env.get("XINYIPI_CREDIT_ENTERPRISE_PUBLICITY_URL")},
    "credit_china": {"url": env.get("XINYIPI_CREDIT_CHINA_URL")},
    "incentive_card": {"url": env.get("XINYIPI_CREDIT_CARD_REGISTRY_URL")},
}
CREDIT_HTTP = {
    "token": env.get("XINYIPI_CREDIT_HTTP_TOKEN"),
    "timeout": float(env.get("XINYIPI_CREDIT_HTTP_TIMEOUT")),
    "retries": env.integer("XINYIPI_CREDIT_HTTP_RETRIES"),
    "backoff": float(env.get("XINYIPI_CREDIT_HTTP_BACKOFF")),
    "breaker_failures": env.integer("XINYIPI_CREDIT_BREAKER_FAILURES"),
    "breaker_seconds": float(env.get("XINYIPI_CREDIT_BREAKER_SECONDS")),
    "cache_seconds": float(env.get("XINYIPI_CREDIT_CACHE_SECONDS")),
}
CREDIT_MANUAL_HOURS = float(env.get("XINYIPI_CREDIT_MANUAL_HOURS"))
CREDIT_EVIDENCE_MAX_BYTES = int(float(env.get("XINYIPI_CREDIT_EVIDENCE_MAX_MB")) * 1024 * 1024)

# Sharing the credit record upstream (R8): off while the URL is empty (events wait, nothing fails).
CREDIT_PLATFORM = {
    "URL": env.get("XINYIPI_CREDIT_PLATFORM_URL"),
    "TOKEN": env.get("XINYIPI_CREDIT_PLATFORM_TOKEN"),
    "TIMEOUT_SECONDS": float(env.get("XINYIPI_CREDIT_PLATFORM_TIMEOUT")),
    "BATCH": env.integer("XINYIPI_SHARE_BATCH"),
    "MAX_ATTEMPTS": env.integer("XINYIPI_SHARE_MAX_ATTEMPTS"),
    "BACKOFF_SECONDS": float(env.get("XINYIPI_SHARE_BACKOFF_SECONDS")),
    "BACKOFF_FACTOR": 2.0,
    "BACKOFF_MAX_SECONDS": float(env.get("XINYIPI_SHARE_BACKOFF_MAX_SECONDS")),
    "LEASE_SECONDS": float(env.get("XINYIPI_SHARE_LEASE_SECONDS")),
    "POLL_SECONDS": float(env.get("XINYIPI_SHARE_POLL_SECONDS")),
}

# Applications (办件): credit-check reuse (R1), case numbers, uploaded materials, the sweep's interval.
APPLICATIONS = {
    "CHECK_REUSE_SECONDS": float(env.get("XINYIPI_CHECK_REUSE_SECONDS")),
    "CASE_NUMBER_FORMAT": env.get("XINYIPI_CASE_NUMBER_FORMAT"),
    "UPLOAD_STORAGE": env.get("XINYIPI_UPLOAD_STORAGE"),
    "UPLOAD_MAX_BYTES": int(float(env.get("XINYIPI_UPLOAD_MAX_MB")) * 1024 * 1024),
    "UPLOAD_TYPES": [t.lower() for t in env.listing("XINYIPI_UPLOAD_TYPES")],
    "SWEEP_SECONDS": float(env.get("XINYIPI_SWEEP_SECONDS")),
}

# The credit record (R8): a console download is built while the browser waits, so its period is bounded
# (``manage.py export_records`` is not).
RECORDS_EXPORT_MAX_DAYS = env.integer("XINYIPI_RECORDS_EXPORT_MAX_DAYS")

# Agents' links (R9a): the legal representative's one-time code, and the identity platform (off when its URL
# is empty; a platform that fails or times out verifies nobody).
AGENT_LINKS = {
    "CODE_MINUTES": float(env.get("XINYIPI_AGENT_CODE_MINUTES")),
    "CODE_ATTEMPTS": env.integer("XINYIPI_AGENT_CODE_ATTEMPTS"),
    "CODE_RESEND_SECONDS": float(env.get("XINYIPI_AGENT_CODE_RESEND_SECONDS")),
    "CODE_DAILY_SENDS": env.integer("XINYIPI_AGENT_CODE_DAILY_SENDS"),
}
IDENTITY_PLATFORM = {
    "url": env.get("XINYIPI_IDENTITY_PLATFORM_URL"),
    "token": env.get("XINYIPI_IDENTITY_PLATFORM_TOKEN"),
    "timeout": float(env.get("XINYIPI_IDENTITY_PLATFORM_TIMEOUT")),
    "retries": env.integer("XINYIPI_IDENTITY_PLATFORM_RETRIES"),
    "backoff": 0.2,
}

# 好差评: a 差评 (score <= 2) is followed up by the case's department within this many working days.
RATING_FOLLOW_UP_DAYS = 5
# The national 好差评 upload's ``areaCode`` (行政区划代码, GB/T 2260): 扎兰屯市.
RATING_AREA_CODE = "150783"
