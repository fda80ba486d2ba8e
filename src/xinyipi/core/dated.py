"""Dated policy versions (STYLE.md principle 4): a list of versions, each with a ``valid_from`` date.

A policy module turns each YAML entry into its own frozen dataclass and checks its own fields; this
module does what every dated policy shares: refuse a malformed version with an error naming the file
and the version, order the versions by ``valid_from``, refuse two that start on the same day, and pick
the version in force on a day.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar


class PolicyFileError(ValueError):
    """The policy file is malformed; raised when it is read, so a bad edit never half-applies."""


class Dated(Protocol):
    valid_from: dt.date


V = TypeVar("V", bound=Dated)


def dated_versions(
    entries: Iterable | None,
    *,
    source: str,
    build: Callable[[dict], V],
    check: Callable[[V], str | None] = lambda version: None,
) -> tuple[V, ...]:
    """The versions of ``entries``, oldest first.

    ``build`` makes one version from one entry (a missing or ill-typed field raises ``KeyError``,
    ``TypeError``, ``ValueError`` or ``AttributeError``); ``check`` returns what is wrong with a built
    version, or ``None``. ``source`` names the file (and the list in it) in every error.
    """
    versions = []
    for entry in entries or []:
        try:
            version = build(entry)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PolicyFileError(f"{source}: incomplete version {entry!r}: {exc}") from exc
        if not isinstance(version.valid_from, dt.date):
            raise PolicyFileError(f"{source}: valid_from must be a date")
        problem = check(version)
        if problem:
            raise PolicyFileError(f"{source} {version.valid_from}: {problem}")
        versions.append(version)
    if not versions:
        raise PolicyFileError(f"{source}: no version")
    versions.sort(key=lambda v: v.valid_from)
    if len({v.valid_from for v in versions}) != len(versions):
        raise PolicyFileError(f"{source}: two versions start on the same day")
    return tuple(versions)


def version_on(versions: Sequence[V], on: dt.date) -> V:
    """The version with the latest ``valid_from`` not after ``on`` (``versions`` oldest first).

    Before the first version the earliest applies: a policy never has a day without values.
    """
    current = versions[0]
    for version in versions:
        if version.valid_from > on:
            break
        current = version
    return current
