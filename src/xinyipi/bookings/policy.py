"""Dated policy values of bookings, read from ``policy/booking.yaml``."""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from xinyipi.core.dated import dated_versions, version_on

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "booking.yaml"


@dataclass(frozen=True)
class BookingPolicy:
    valid_from: dt.date
    earliest_days: int
    horizon_days: int
    reference: str

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day a booking made ``today`` may ask for (both included)."""
        return today + dt.timedelta(days=self.earliest_days), today + dt.timedelta(days=self.horizon_days)


def _build(entry: dict) -> BookingPolicy:
    return BookingPolicy(
        valid_from=entry["valid_from"],
        earliest_days=int(entry["earliest_days"]),
        horizon_days=int(entry["horizon_days"]),
        reference=str(entry["reference"]).strip(),
    )


def _check(policy: BookingPolicy) -> str | None:
    if policy.earliest_days < 1:
        return "earliest_days must be at least 1 (no booking for today)"
    if policy.horizon_days < policy.earliest_days:
        return "horizon_days must not be less than earliest_days"
    if not policy.reference:
        return "reference is required"
    return None


@cache
def _versions(path: Path = POLICY_FILE) -> tuple[BookingPolicy, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dated_versions(raw.get("versions"), source=path.name, build=_build, check=_check)


def booking_policy_on(on: dt.date) -> BookingPolicy:
    return version_on(_versions(), on)
