"""Dated policy versions: checked when read, ordered, unique by start day, picked by the day asked about."""

import datetime as dt
from dataclasses import dataclass

import pytest

from xinyipi.core.dated import PolicyFileError, dated_versions, version_on


@dataclass(frozen=True)
class Version:
    valid_from: dt.date
    days: int


def build(entry: dict) -> Version:
    return Version(valid_from=entry["valid_from"], days=int(entry["days"]))


def check(version: Version) -> str | None:
    return "days must be positive" if version.days < 1 else None


def read(entries):
    return dated_versions(entries, source="rules.yaml", build=build, check=check)


def test_versions_are_ordered_by_valid_from():
    versions = read([{"valid_from": dt.date(2025, 1, 1), "days": 5}, {"valid_from": dt.date(2024, 1, 1), "days": 3}])
    assert [v.valid_from for v in versions] == [dt.date(2024, 1, 1), dt.date(2025, 1, 1)]


def test_version_in_force_is_the_latest_started_on_or_before_the_day():
    versions = read([{"valid_from": dt.date(2024, 1, 1), "days": 3}, {"valid_from": dt.date(2025, 1, 1), "days": 5}])
    assert version_on(versions, dt.date(2024, 12, 31)).days == 3
    assert version_on(versions, dt.date(2025, 1, 1)).days == 5
    assert version_on(versions, dt.date(2030, 1, 1)).days == 5


def test_before_the_first_version_the_earliest_applies():
    versions = read([{"valid_from": dt.date(2024, 1, 1), "days": 3}, {"valid_from": dt.date(2025, 1, 1), "days": 5}])
    assert version_on(versions, dt.date(2000, 1, 1)).days == 3


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (None, "rules.yaml: no version"),
        ([], "rules.yaml: no version"),
        ([{"valid_from": dt.date(2024, 1, 1)}], "rules.yaml: incomplete version"),
        ([{"valid_from": dt.date(2024, 1, 1), "days": "many"}], "rules.yaml: incomplete version"),
        (["not a mapping"], "rules.yaml: incomplete version"),
        ([{"valid_from": "soon", "days": 3}], "rules.yaml: valid_from must be a date"),
        ([{"valid_from": dt.date(2024, 1, 1), "days": 0}], "rules.yaml 2024-01-01: days must be positive"),
        (
            [{"valid_from": dt.date(2024, 1, 1), "days": 3}, {"valid_from": dt.date(2024, 1, 1), "days": 4}],
            "rules.yaml: two versions start on the same day",
        ),
    ],
    ids=["none", "empty", "missing-field", "bad-number", "not-a-mapping", "bad-date", "check", "same-day"],
)
def test_malformed_versions_are_refused_naming_the_file_and_version(entries, message):
    with pytest.raises(PolicyFileError) as error:
        read(entries)
    assert str(error.value).startswith(message)
