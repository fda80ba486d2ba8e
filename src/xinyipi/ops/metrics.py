"""Prometheus metrics (prometheus-client), served at ``/metrics`` to loopback or a bearer token.

Two kinds, because ``make serve`` runs several gunicorn processes:

* What happens inside a web process — requests by route, status and latency; credit-source failures and the
  state of each source's circuit breaker; lockouts as they happen — is counted in that process. Under
  gunicorn, prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by
  ``conf/gunicorn.py``) keeps each process's values in a memory-mapped file, and a scrape, whichever
  worker answers it, adds them up. Without that directory (``runserver``, tests) the values live in memory.
* What the database already knows — cases by mode, outbox depth and the oldest message's age, the credit
  record's sharing lag, the last deadline sweep, active lockouts — is read from the database at scrape time
  (``DatabaseCollector``), so it is right however many processes or hosts run and needs no process to have
  seen the change.
"""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from xinyipi.conf import env

# A command run with the server's environment (migrate, the worker) writes its values beside the web workers'.
if env.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(env.get("PROMETHEUS_MULTIPROC_DIR")).mkdir(parents=True, exist_ok=True)

REQUESTS = Counter("xinyipi_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "xinyipi_http_request_duration_seconds",
    "Time from the request's arrival to its answer",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CREDIT_SOURCE_FAILURES = Counter(
    "xinyipi_credit_source_failures", "Failed requests to an external credit source", ["source", "status"]
)
# ``max``: a source's circuit counts as open while it is open in any live web process.
CREDIT_SOURCE_CIRCUIT_OPEN = Gauge(
    "xinyipi_credit_source_circuit_open",
    "1 while the source's circuit breaker is open (no request is sent)",
    ["source"],
    multiprocess_mode="livemax",
)
LOCKOUTS = Counter("xinyipi_login_lockouts", "Logins refused because a name or an address got locked")


def request_observe(*, method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def credit_source_failed(*, source: str, status: str) -> None:
    CREDIT_SOURCE_FAILURES.labels(source, status).inc()


def credit_source_circuit(*, source: str, is_open: bool) -> None:
    CREDIT_SOURCE_CIRCUIT_OPEN.labels(source).set(1 if is_open else 0)


def lockout_signal_connect() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_lockout_counted, dispatch_uid="xinyipi.ops.lockout")


def _lockout_counted(sender, **kwargs) -> None:
    LOCKOUTS.inc()


SWEEP_TASK_PATH = "xinyipi.applications.tasks.sweep_deadlines_task"
SWEEP_KINDS = (
    "reminded",
    "terminated",
    "corrections_lapsed",
    "verification_flagged",
    "rectification_lapsed",
    "listed",
    "expired",
    "errors",
)


class DatabaseCollector:
    """Gauges read from the database at each scrape (a few indexed queries and one grouped count)."""

    def collect(self):
        from axes.models import AccessAttempt

        from xinyipi.applications.models import Application
        from xinyipi.notifications.models import Notification
        from xinyipi.records.sharing_selectors import sharing_lag

        now = timezone.now()
        cases = GaugeMetricFamily("xinyipi_cases", "Cases (办件) by the mode they were filed in", labels=["mode"])
        for row in Application.objects.order_by().values("mode").annotate(n=Count("id")):
            cases.add_metric([row["mode"]], row["n"])
        yield cases

        open_statuses = [Notification.Status.PENDING, Notification.Status.SENDING, Notification.Status.FAILED]
        outbox = Notification.objects.order_by().aggregate(
            depth=Count("id", filter=Q(status__in=open_statuses)),
            dead=Count("id", filter=Q(status=Notification.Status.DEAD)),
        )
        oldest = Notification.objects.filter(status__in=open_statuses).aggregate(at=Min("created_at"))["at"]
        yield GaugeMetricFamily("xinyipi_outbox_depth", "Messages waiting to be sent", value=outbox["depth"])
        yield GaugeMetricFamily(
            "xinyipi_outbox_dead", "Messages set aside after their last attempt", value=outbox["dead"]
        )
        yield GaugeMetricFamily(
            "xinyipi_outbox_oldest_age_seconds",
            "Age of the oldest message waiting to be sent (0 when none waits)",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )

        lag = sharing_lag(now=now)
        yield GaugeMetricFamily(
            "xinyipi_record_sharing_pending", "Credit-record events not yet shared", value=lag.pending
        )
        yield GaugeMetricFamily(
            "xinyipi_record_sharing_oldest_age_seconds",
            "Age of the oldest credit-record event not yet shared (0 when none waits)",
            value=lag.oldest_pending_age_seconds or 0.0,
        )
        yield GaugeMetricFamily(
            "xinyipi_record_sharing_dead_batches",
            "Sharing batches set aside after their last attempt",
            value=lag.dead_batches,
        )

        yield from self._sweep()

        cooloff = dt.timedelta(minutes=settings.AXES_COOLOFF_TIME * 60)
        locked = AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=now - cooloff
        ).count()
        yield GaugeMetricFamily("xinyipi_login_locked", "User name and address pairs locked out now", value=locked)

    def _sweep(self):
        from django_tasks_db.models import DBTaskResult

        last = (
            DBTaskResult.objects.filter(task_path=SWEEP_TASK_PATH, finished_at__isnull=False)
            .order_by("-finished_at")
            .values("finished_at", "status", "return_value")
            .first()
        )
        finished = GaugeMetricFamily(
            "xinyipi_sweep_last_finished_timestamp_seconds", "When the worker's last deadline sweep ended (Unix time)"
        )
        changes = GaugeMetricFamily(
            "xinyipi_sweep_last_results", "What the last deadline sweep did, by kind of change", labels=["kind"]
        )
        failed = GaugeMetricFamily("xinyipi_sweep_last_failed", "1 when the last deadline sweep failed")
        if last is not None:
            finished.add_metric([], last["finished_at"].timestamp())
            failed.add_metric([], 1 if last["status"] == "FAILED" else 0)
            report = last["return_value"] if isinstance(last["return_value"], dict) else {}
            for kind in SWEEP_KINDS:
                changes.add_metric([kind], len(report.get(kind) or []))
        yield finished
        yield changes
        yield failed


def metrics_render(*, multiproc_dir: str) -> bytes:
    """The exposition text: this process's (or every gunicorn process's) metrics and the database gauges."""
    registry = CollectorRegistry()
    if multiproc_dir:
        multiprocess.MultiProcessCollector(registry, path=multiproc_dir)
    else:
        for collector in (REQUESTS, LATENCY, CREDIT_SOURCE_FAILURES, CREDIT_SOURCE_CIRCUIT_OPEN, LOCKOUTS):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
