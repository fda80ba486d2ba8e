"""Is the process up, and is the whole system ready to take work? Read by ``/healthz`` and ``/readyz``."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Min
from django.utils import timezone

_migrations_applied = False  # once seen applied, a running process keeps its code: no need to look again


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def migrations_pending() -> list[str]:
    """Migrations this code has that the database has not applied (``[]`` once everything is applied)."""
    global _migrations_applied
    if _migrations_applied:
        return []
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    _migrations_applied = not pending
    return pending


def readiness() -> tuple[bool, dict]:
    """Every check with its figures, and whether all pass. Thresholds: ``settings.READINESS``."""
    from xinyipi.notifications.models import Notification
    from xinyipi.notifications.selectors import worker_heartbeat_age
    from xinyipi.records.sharing_selectors import sharing_lag

    limits = settings.READINESS
    checks: dict[str, dict] = {}
    if not database_answers():
        return False, {"database": {"ok": False}}
    checks["database"] = {"ok": True}
    pending = migrations_pending()
    checks["migrations"] = {"ok": not pending, "pending": pending}

    age = worker_heartbeat_age()
    checks["worker"] = {
        "ok": age is not None and age <= limits["HEARTBEAT_SECONDS"],
        "heartbeat_age_seconds": None if age is None else round(age, 1),
        "limit_seconds": limits["HEARTBEAT_SECONDS"],
    }

    now = timezone.now()
    waiting = [Notification.Status.PENDING, Notification.Status.SENDING, Notification.Status.FAILED]
    oldest = Notification.objects.filter(status__in=waiting).aggregate(at=Min("created_at"))["at"]
    outbox_age = (now - oldest).total_seconds() if oldest else 0.0
    checks["outbox"] = {
        "ok": outbox_age <= limits["OUTBOX_SECONDS"],
        "oldest_age_seconds": round(outbox_age, 1),
        "limit_seconds": limits["OUTBOX_SECONDS"],
    }

    # The credit record waits by design while no platform is configured: then its lag is no fault.
    lag = sharing_lag(now=now)
    sharing_age = lag.oldest_pending_age_seconds or 0.0
    checks["record_sharing"] = {
        "ok": not lag.configured or sharing_age <= limits["OUTBOX_SECONDS"],
        "configured": lag.configured,
        "pending": lag.pending,
        "oldest_age_seconds": round(sharing_age, 1),
        "limit_seconds": limits["OUTBOX_SECONDS"],
    }
    return all(check["ok"] for check in checks.values()), checks
