"""Reads of the sharing queue (R8): how far behind the credit platform is, and what failed.

``sharing_lag()`` takes no actor and shows no personal data (counts, times, the last error), so health
checks and metrics can call it as they are; pages call it behind their own permission check.
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.utils import timezone

from xinyipi.accounts.access import require_perm
from xinyipi.records.models import RecordShare, RecordShareBatch
from xinyipi.records.sharing import sharing_configured

B = RecordShareBatch.Status
# Counting stops here: past it the console says "at least", and the count stays one short index scan.
PENDING_COUNT_CAP = 100_000


@dataclass(frozen=True)
class SharingLag:
    configured: bool  # a platform URL is set; when not, events wait and nothing is an error
    pending: int  # events written and not yet acknowledged by the platform (at most PENDING_COUNT_CAP)
    pending_capped: bool  # there are at least PENDING_COUNT_CAP
    oldest_pending_at: dt.datetime | None  # when the oldest of them was written
    oldest_pending_age_seconds: float | None
    failing_batches: int  # batches that failed and will be sent again
    dead_batches: int  # batches set aside after their last attempt (``share_records --retry-dead``)
    last_error: str
    last_error_at: dt.datetime | None
    last_shared_at: dt.datetime | None  # the platform's last acknowledgement
    next_attempt_at: dt.datetime | None  # when the earliest failed batch is sent again

    @property
    def state(self) -> str:
        """``off``, ``ok``, ``retrying`` (a batch fails and backs off) or ``stuck`` (batches set aside)."""
        if not self.configured:
            return "off"
        if self.dead_batches:
            return "stuck"
        if self.failing_batches:
            return "retrying"
        return "ok"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["state"] = self.state
        for key in ("oldest_pending_at", "last_error_at", "last_shared_at", "next_attempt_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def sharing_lag(*, now: dt.datetime | None = None) -> SharingLag:
    """The sharing queue's state in a handful of indexed queries (no scan of the shared history)."""
    now = now or timezone.now()
    pending = RecordShare.objects.order_by()[:PENDING_COUNT_CAP].count()
    oldest = RecordShare.objects.order_by("event_id").values_list("created_at", flat=True).first()
    failed = RecordShareBatch.objects.filter(status=B.FAILED)
    last_error = (
        RecordShareBatch.objects.filter(last_error_at__isnull=False)
        .order_by("-last_error_at")
        .values_list("last_error", "last_error_at")
        .first()
    )
    return SharingLag(
        configured=sharing_configured(),
        pending=pending,
        pending_capped=pending >= PENDING_COUNT_CAP,
        oldest_pending_at=oldest,
        oldest_pending_age_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else None,
        failing_batches=failed.count(),
        dead_batches=RecordShareBatch.objects.filter(status=B.DEAD).count(),
        last_error=last_error[0] if last_error else "",
        last_error_at=last_error[1] if last_error else None,
        last_shared_at=RecordShareBatch.objects.filter(status=B.SENT)
        .order_by("-id")
        .values_list("sent_at", flat=True)
        .first(),
        next_attempt_at=failed.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first(),
    )


def share_batch_problems(*, actor, limit: int = 20) -> list[RecordShareBatch]:
    """The batches that need an eye (failed or set aside), newest first, for those who watch delivery."""
    require_perm(actor, "notifications.view_notification")
    return list(RecordShareBatch.objects.filter(status__in=[B.FAILED, B.DEAD]).order_by("-id")[:limit])
