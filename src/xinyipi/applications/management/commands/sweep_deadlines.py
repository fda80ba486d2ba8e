"""``manage.py sweep_deadlines [--now ISO8601]``: run the deadline sweep as if at ``--now`` and print what it did."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.core import clock


def parse_moment(raw: str) -> dt.datetime:
    """An ISO 8601 date-time (with offset; without one it is read as Beijing time) or a date (its start)."""
    try:
        moment = dt.datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise CommandError(f"--now: not an ISO 8601 date-time: {raw!r} (e.g. 2026-05-20T09:00:00+08:00)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.BEIJING)
    return moment


class Command(BaseCommand):
    help = "Run the deadline sweep (reminders, terminations, overdue verifications, listings) as if at --now."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO 8601 date-time to act at (default: the real time)")

    def handle(self, *args, **options):
        moment = parse_moment(options["now"]) if options.get("now") else None
        report = deadlines_sweep(now=moment)
        self.stdout.write(f"sweep at {clock.to_beijing(report.at).isoformat()}")
        rows = [
            ("reminded", "催告", report.reminded),
            ("terminated", "终止办理", report.terminated),
            ("verification_flagged", "核查逾期提醒", report.verification_flagged),
            ("rectification_lapsed", "整改期满撤销", report.rectification_lapsed),
            ("corrections_lapsed", "逾期未补正", report.corrections_lapsed),
            ("listed", "列入黑名单", report.listed),
            ("expired", "期满移出", report.expired),
        ]
        for code, label, items in rows:
            shown = ", ".join(str(i) for i in items[:20]) + (" …" if len(items) > 20 else "")
            self.stdout.write(f"  {code} ({label}): {len(items)}" + (f" — {shown}" if items else ""))
        if report.errors:
            self.stderr.write(f"  errors: {len(report.errors)} — {', '.join(report.errors[:20])}")
        self.stdout.write(f"  rating_follow_ups_reminded (差评整改催办): {report.follow_ups_reminded}")
        self.stdout.write(f"changed: {report.changed}")
