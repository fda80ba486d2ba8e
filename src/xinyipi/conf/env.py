"""The only reader of ``os.environ``.

Every setting the system takes from its environment is declared here, with what it means and its
development default. Production (``XINYIPI_ENV=production``) refuses the development secrets.
"""

import os
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]

# Development-only secrets. They are public (they are in the repository), so production refuses them.
DEMO_SECRET_KEY = "xinyipi-development-secret-key-not-for-production-use-0123456789"
DEMO_FIELD_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    doc: str


VARIABLES = [
    Variable("XINYIPI_ENV", "development", "development, production or test; production refuses the demo secrets"),
    Variable("SECRET_KEY", DEMO_SECRET_KEY, "Django secret key (sessions, CSRF, signing)"),
    Variable("DEBUG", "", "1/true to show debug pages; defaults to on in development, off in production"),
    Variable("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver", "comma-separated host names served"),
    Variable(
        "DATABASE_URL",
        f"sqlite:///{BASE_DIR / 'var' / 'xinyipi.sqlite3'}",
        "database URL; SQLite (WAL) by default, postgres://… to scale out",
    ),
    Variable(
        "XINYIPI_FIELD_KEY",
        DEMO_FIELD_KEY,
        "64 hex characters; derives the SM4 key that encrypts ID numbers and the SM3 blind-index key",
    ),
    Variable("XINYIPI_MEDIA_ROOT", str(BASE_DIR / "var" / "media"), "where uploaded files are kept"),
    Variable("XINYIPI_STATIC_ROOT", str(BASE_DIR / "var" / "static"), "where collectstatic writes"),
    Variable("XINYIPI_SQLITE_TIMEOUT", "20", "seconds a SQLite writer waits for the lock"),
    Variable(
        "XINYIPI_SQLITE_MMAP_MIB",
        "2047",
        "MiB of the SQLite file each connection reads through memory mapping (at most 2047); 0 = plain reads "
        "(a database on a network file system)",
    ),
    Variable(
        "XINYIPI_DB_CONN_MAX_AGE",
        "60",
        "seconds a process keeps its database connection across requests (checked before reuse); 0 = one per request",
    ),
    Variable(
        "XINYIPI_PG_PREPARE_THRESHOLD",
        "5",
        "PostgreSQL: executions of one statement on a connection after which it is kept prepared; 0 = never "
        "(PgBouncer older than 1.21 in transaction pooling)",
    ),
    Variable("XINYIPI_LOG_LEVEL", "INFO", "root log level"),
    Variable("XINYIPI_LOG_FORMAT", "json", "json (one JSON object per line) or plain (for reading on a terminal)"),
    # Serving (``make serve``, src/xinyipi/conf/gunicorn.py) and watching it (docs/deployment.md).
    Variable("XINYIPI_WEB_WORKERS", "", "web worker processes of ``make serve``; empty = one per CPU core"),
    Variable("XINYIPI_WEB_TIMEOUT", "30", "seconds a web worker may spend on one request before it is restarted"),
    Variable(
        "XINYIPI_WEB_MAX_REQUESTS",
        "0",
        "requests after which a web worker is replaced (0 = never; memory stays flat, see docs/performance.md)",
    ),
    Variable(
        "PROMETHEUS_MULTIPROC_DIR",
        "",
        "directory where the web workers share their metrics; ``make serve`` sets it under var/ when empty",
    ),
    Variable(
        "XINYIPI_METRICS_TOKEN",
        "",
        "bearer token that opens /metrics from another host; empty = /metrics answers loopback only",
    ),
    Variable("XINYIPI_READY_HEARTBEAT_SECONDS", "30", "/readyz: oldest worker heartbeat still taken as alive"),
    Variable(
        "XINYIPI_READY_OUTBOX_SECONDS", "600", "/readyz: age of the oldest unsent message or unshared record event"
    ),
    Variable(
        "XINYIPI_MEDIA_STORAGE",
        "filesystem",
        "filesystem (XINYIPI_MEDIA_ROOT, shared between web hosts) or s3 (S3-compatible, django-storages)",
    ),
    Variable("XINYIPI_S3_BUCKET", "", "bucket of uploaded and issued files when XINYIPI_MEDIA_STORAGE=s3"),
    Variable("XINYIPI_S3_ENDPOINT_URL", "", "S3-compatible endpoint (MinIO, a cloud's object storage)"),
    Variable("XINYIPI_S3_ACCESS_KEY", "", "access key of that bucket"),
    Variable("XINYIPI_S3_SECRET_KEY", "", "secret key of that bucket"),
    Variable("XINYIPI_LOGIN_FAILURE_LIMIT", "5", "failed logins of one user name from one address before it is locked"),
    Variable(
        "XINYIPI_LOGIN_ADDRESS_FAILURE_LIMIT",
        "30",
        "failed logins from one address, whatever the user names, before the address is locked; 0 = no address lock",
    ),
    Variable(
        "XINYIPI_LOGIN_COOLOFF_MINUTES",
        "15",
        "how long a login lock-out lasts, counted from the last failed attempt",
    ),
    Variable(
        "XINYIPI_STAFF_OTP_REQUIRED",
        "",
        "1 to require a TOTP second factor from administrators (superusers, 政数局管理员); on in production",
    ),
    Variable("XINYIPI_TOKEN_HOURS", "12", "lifetime of an API token"),
    Variable("XINYIPI_SECURE_COOKIES", "", "1 to mark cookies Secure (behind HTTPS); on in production"),
    Variable(
        "XINYIPI_HTTPS",
        "",
        "1 when the site is served over HTTPS: plain-HTTP requests are redirected and HSTS is sent; on in production",
    ),
    Variable("XINYIPI_HSTS_SECONDS", "31536000", "how long browsers keep to HTTPS after a visit (HSTS max-age)"),
    Variable(
        "XINYIPI_HSTS_INCLUDE_SUBDOMAINS",
        "1",
        "1 to extend HSTS to every subdomain of the site's host; 0 when a subdomain still serves plain HTTP",
    ),
    Variable(
        "XINYIPI_HSTS_PRELOAD",
        "1",
        "1 to mark HSTS as eligible for the browsers' preload list (with subdomains); 0 to leave the mark off",
    ),
    # Credit sources (R2). An empty URL leaves that source out of every check.
    Variable(
        "XINYIPI_CREDIT_ENTERPRISE_PUBLICITY_URL",
        "",
        "base URL of the 国家企业信用信息公示系统 data-sharing interface; empty = source not configured",
    ),
    Variable("XINYIPI_CREDIT_CHINA_URL", "", "base URL of the 信用中国 data-sharing interface; empty = not configured"),
    Variable(
        "XINYIPI_CREDIT_CARD_REGISTRY_URL",
        "",
        "base URL of the 纳税信用联合激励卡 registry; empty = the local card table is the registry",
    ),
    Variable("XINYIPI_CREDIT_HTTP_TOKEN", "", "bearer token sent to the credit interfaces, if they require one"),
    Variable("XINYIPI_CREDIT_HTTP_TIMEOUT", "2.0", "seconds one request to a credit interface may take"),
    Variable("XINYIPI_CREDIT_HTTP_RETRIES", "1", "retries after a failed or timed-out request (0 = none)"),
    Variable("XINYIPI_CREDIT_HTTP_BACKOFF", "0.2", "seconds before the first retry; doubled for each further one"),
    Variable("XINYIPI_CREDIT_BREAKER_FAILURES", "3", "consecutive failures that open a source's circuit breaker"),
    Variable("XINYIPI_CREDIT_BREAKER_SECONDS", "30", "seconds an open circuit stays open before one trial request"),
    Variable("XINYIPI_CREDIT_CACHE_SECONDS", "60", "seconds a source's answer for one subject is reused (0 = never)"),
    Variable("XINYIPI_CREDIT_MANUAL_HOURS", "24", "hours a clerk's manual entry stands in for its site in checks"),
    Variable("XINYIPI_CREDIT_EVIDENCE_MAX_MB", "10", "largest evidence file (PDF/PNG/JPEG) a manual entry accepts"),
    # Notifications (outbox delivered by the worker) and the worker itself.
    Variable(
        "XINYIPI_SMS_GATEWAY_URL", "", "base URL of the SMS gateway (POST /sms/send); empty = SMS waits in the outbox"
    ),
    Variable("XINYIPI_SMS_GATEWAY_TOKEN", "", "bearer token sent to the SMS gateway, when it asks for one"),
    Variable(
        "XINYIPI_SMS_TIMEOUT_SECONDS", "5", "seconds one SMS attempt may take; a timeout counts as a failed attempt"
    ),
    Variable("XINYIPI_SMS_SIGNATURE", "信易批", "SMS signature put in 【】 before every text; empty for none"),
    Variable("XINYIPI_EMAIL_HOST", "", "SMTP host for e-mail notifications; empty = e-mail waits in the outbox"),
    Variable("XINYIPI_EMAIL_PORT", "25", "SMTP port"),
    Variable("XINYIPI_EMAIL_USER", "", "SMTP user name, when the server asks for one"),
    Variable("XINYIPI_EMAIL_PASSWORD", "", "SMTP password"),
    Variable("XINYIPI_EMAIL_TLS", "", "1 to use STARTTLS with the SMTP server"),
    Variable("XINYIPI_EMAIL_FROM", "xinyipi@localhost", "sender address of e-mail notifications"),
    Variable("XINYIPI_OUTBOX_MAX_ATTEMPTS", "8", "delivery attempts of a message before it is dead-lettered"),
    Variable("XINYIPI_OUTBOX_BACKOFF_SECONDS", "30", "wait before the first retry; each next wait is multiplied"),
    Variable("XINYIPI_OUTBOX_BACKOFF_FACTOR", "2", "multiplier between successive retry waits"),
    Variable("XINYIPI_OUTBOX_BACKOFF_MAX_SECONDS", "3600", "longest wait between two attempts"),
    Variable(
        "XINYIPI_OUTBOX_LEASE_SECONDS",
        "120",
        "how long a worker holds a message it is sending; must exceed the timeouts",
    ),
    Variable("XINYIPI_OUTBOX_BATCH", "50", "messages a worker claims at once"),
    Variable("XINYIPI_OUTBOX_POLL_SECONDS", "5", "how often the worker drains the outbox"),
    Variable("XINYIPI_TASK_RESULTS_KEEP_DAYS", "7", "days finished background-task results are kept"),
    # Sharing the credit record with the upstream credit platform (R8, docs/records.md "Sharing").
    Variable(
        "XINYIPI_CREDIT_PLATFORM_URL",
        "",
        "base URL of the credit platform's collection interface (POST /records); empty = nothing is shared",
    ),
    Variable("XINYIPI_CREDIT_PLATFORM_TOKEN", "", "bearer token sent to the credit platform, when it asks for one"),
    Variable("XINYIPI_CREDIT_PLATFORM_TIMEOUT", "10", "seconds one batch sent to the credit platform may take"),
    Variable("XINYIPI_SHARE_BATCH", "100", "credit-record events sent to the credit platform in one request"),
    Variable("XINYIPI_SHARE_MAX_ATTEMPTS", "12", "attempts of one batch before it is set aside for an operator"),
    Variable("XINYIPI_SHARE_BACKOFF_SECONDS", "10", "wait before a failed batch is sent again; doubled each time"),
    Variable("XINYIPI_SHARE_BACKOFF_MAX_SECONDS", "1800", "longest wait between two attempts of a batch"),
    Variable(
        "XINYIPI_SHARE_LEASE_SECONDS", "60", "how long a worker holds a batch it is sending; must exceed the timeout"
    ),
    Variable("XINYIPI_SHARE_POLL_SECONDS", "5", "how often the worker shares new credit-record events"),
    # Applications (办件).
    Variable(
        "XINYIPI_CHECK_REUSE_SECONDS",
        "300",
        "a complete credit check of the same subject younger than this is reused when a case is filed (R1)",
    ),
    Variable(
        "XINYIPI_CASE_NUMBER_FORMAT",
        "{matter_code}{date:%Y%m%d}{seq:04d}",
        "办件编号 format: fields matter_code, department_code, date, seq (required); seq counts per rendered rest",
    ),
    Variable("XINYIPI_UPLOAD_STORAGE", "default", "name of the STORAGES entry that keeps uploaded case materials"),
    Variable("XINYIPI_UPLOAD_MAX_MB", "20", "largest file accepted for one case material"),
    Variable("XINYIPI_UPLOAD_TYPES", "pdf,png,jpg,ofd", "file types accepted for case materials (by content)"),
    Variable("XINYIPI_SWEEP_SECONDS", "300", "how often the worker runs the deadline sweep"),
    Variable("XINYIPI_RECORDS_EXPORT_MAX_DAYS", "366", "longest period (days) of one console credit-record download"),
    # Agents' links (R9a): the one-time code of the legal representative, and the identity platform.
    Variable("XINYIPI_AGENT_CODE_MINUTES", "10", "minutes a code confirming an agent's link stays valid"),
    Variable("XINYIPI_AGENT_CODE_ATTEMPTS", "5", "wrong entries of one code before it stops working"),
    Variable("XINYIPI_AGENT_CODE_RESEND_SECONDS", "60", "seconds before the code of one link may be sent again"),
    Variable("XINYIPI_AGENT_CODE_DAILY_SENDS", "5", "codes one link may have sent per day (Beijing time)"),
    Variable(
        "XINYIPI_IDENTITY_PLATFORM_URL",
        "",
        "base URL of the 统一身份认证 platform (POST /verify); empty = a person's link is verified at the window",
    ),
    Variable("XINYIPI_IDENTITY_PLATFORM_TOKEN", "", "bearer token sent to the identity platform, if it asks for one"),
    Variable("XINYIPI_IDENTITY_PLATFORM_TIMEOUT", "3", "seconds one request to the identity platform may take"),
    Variable("XINYIPI_IDENTITY_PLATFORM_RETRIES", "1", "retries after a failed or timed-out request (0 = none)"),
]

_BY_NAME = {v.name: v for v in VARIABLES}


def get(name: str) -> str:
    """The variable's value from the environment, or its documented default."""
    return os.environ.get(name, _BY_NAME[name].default)


def flag(name: str, default: bool = False) -> bool:
    raw = get(name).strip().lower()
    if raw == "":
        return default
    return raw in {"1", "true", "yes", "on"}


def integer(name: str) -> int:
    return int(get(name))


def listing(name: str) -> list[str]:
    return [part.strip() for part in get(name).split(",") if part.strip()]


def environment() -> str:
    return get("XINYIPI_ENV").strip().lower() or "development"
