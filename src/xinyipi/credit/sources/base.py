"""The one interface every credit source implements (R2).

A source is a plugin: a subclass of ``CreditSource`` registered with ``sources.registry``. The check asks
each *configured* source about one subject and gets a ``SourceAnswer``: a status and the findings. A
source that cannot answer says so in its status (``error``, ``timeout``, ``circuit_open``) — it never
returns an empty "nothing found" in place of an answer it did not get.

Findings are plain dicts (they are stored in the check's snapshot and returned by the API)::

    {"category": "abnormal_operations", "source": "local_store", "list_source": "gsxt",
     "record_id": "…", "document_number": "…", "authority": "…", "decided_on": "2025-03-01",
     "publicity_until": "2026-03-01", "ends_on": None, "severity": "", "grade": "", "summary": "…"}
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection

from xinyipi.credit.categories import SourceStatus


class SourceUnavailable(Exception):
    """The source could not answer; ``status`` is one of the failed ``SourceStatus`` values."""

    def __init__(self, status: str, detail: str = ""):
        super().__init__(detail or status)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class SourceQuery:
    """What a source is asked: one subject on one day, and the card number if one was presented. ``probed``:
    what each probing source's probe found, when the registry ran them (``CreditSource.probe``)."""

    subject: object
    code: str
    code_hash: str
    kind: str
    on: dt.date
    at: dt.datetime | None = None
    incentive_card: str | None = None
    probed: dict[str, bool] = field(default_factory=dict)


@dataclass
class CardInfo:
    """A card as the card registry describes it. ``holder_code_hash`` is compared with the subject's."""

    number: str
    holder_code_hash: str
    holder_name: str
    valid_from: dt.date
    valid_until: dt.date
    revoked_on: dt.date | None = None
    revoked_reason: str = ""
    grade_year: int | None = None

    def as_finding(self, source: str) -> dict:
        return {
            "category": "incentive_card",
            "source": source,
            "record_id": self.number,
            "document_number": self.number,
            "decided_on": self.valid_from.isoformat(),
            "ends_on": self.valid_until.isoformat(),
            "publicity_until": None,
            "grade_year": self.grade_year,
            "summary": self.holder_name,
        }


@dataclass
class SourceAnswer:
    name: str
    status: str
    findings: list[dict] = field(default_factory=list)
    detail: str = ""
    cached: bool = False
    elapsed_ms: float = 0.0
    card: CardInfo | None = None
    covers: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.status in {SourceStatus.OK, SourceStatus.NOT_APPLICABLE}

    def as_snapshot(self) -> dict:
        body = {"name": self.name, "status": self.status, "findings": len(self.findings)}
        if self.detail:
            body["detail"] = self.detail
        if self.cached:
            body["cached"] = True
        if self.covers:
            body["covers"] = self.covers
        body["elapsed_ms"] = round(self.elapsed_ms, 1)
        return body


class CreditSource:
    """Base class of credit source plugins.

    Attributes every plugin sets:

    - ``name``: the code name used in checks, the API and settings (``CREDIT_SOURCES[name]``);
    - ``label``: how the source is called on screen (Chinese);
    - ``categories``: the finding categories it can report. When the source fails, the policy withholds
      every entitlement that a finding of these categories could take away (R2: "no entitlement that
      depends on the missing source");
    - ``order``: its place among the sources in a check's list.
    """

    name: str = ""
    label = ""
    categories: tuple[str, ...] = ()
    order: int = 100  # where the source appears in checks and on screen

    def is_configured(self) -> bool:
        """Whether the source takes part in checks at all (an unconfigured source is simply left out)."""
        return True

    def is_remote(self) -> bool:
        """Whether answering means a network call (then it may run in a thread beside the others)."""
        return False

    def applies_to(self, query: SourceQuery) -> bool:
        """Whether the source covers this subject (e.g. the enterprise publicity system has no persons)."""
        return True

    def query(self, query: SourceQuery) -> SourceAnswer | None:
        """Ask the source. Raise ``SourceUnavailable`` when it cannot answer; ``None`` = takes no part."""
        raise NotImplementedError

    def probe(self, query: SourceQuery) -> tuple[str, list] | None:
        """For a source in this database that rarely has anything to say: a SELECT (SQL and parameters) finding
        a row only when it may have. The registry runs a check's probes in one statement and passes what each
        found in ``query.probed``; ``query`` still probes for itself when asked without. None: no probe."""
        return None

    def probe_found(self, query: SourceQuery) -> bool:
        """What ``probe`` found: as the registry ran it with the check's others, else run now."""
        if self.name not in query.probed:
            probes_run([self], query)
        return query.probed[self.name]


def probes_run(sources: list[CreditSource], query: SourceQuery) -> None:
    """Run the probes of ``sources`` (``CreditSource.probe``) in one statement; what each found goes into
    ``query.probed``."""
    probes = {}
    for source in sources:
        if not source.is_remote() and source.applies_to(query):
            probe = source.probe(query)
            if probe is not None:
                probes[source.name] = probe
    if not probes:
        return
    sql = ", ".join(f"EXISTS ({probe_sql})" for probe_sql, _params in probes.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", [p for _sql, params in probes.values() for p in params])
        found = cursor.fetchone()
    query.probed.update((name, bool(value)) for name, value in zip(probes, found, strict=True))
