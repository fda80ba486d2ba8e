"""The registry of credit source plugins, and the loop that asks each configured one."""

import time

from xinyipi.credit.categories import SourceStatus
from xinyipi.credit.sources.base import CreditSource, SourceAnswer, SourceQuery, SourceUnavailable


class Registry:
    def __init__(self):
        self._sources: dict[str, CreditSource] = {}

    def register(self, cls: type[CreditSource]) -> type[CreditSource]:
        """Class decorator: ``@registry.register`` on a ``CreditSource`` subclass."""
        if not cls.name:
            raise ValueError(f"{cls.__name__} has no name")
        if cls.name in self._sources:
            raise ValueError(f"credit source {cls.name!r} registered twice")
        self._sources[cls.name] = cls()
        self._sources = dict(sorted(self._sources.items(), key=lambda item: (item[1].order, item[0])))
        return cls

    def __getitem__(self, name: str) -> CreditSource:
        return self._sources[name]

    def __contains__(self, name: str) -> bool:
        return name in self._sources

    def all(self) -> list[CreditSource]:
        return list(self._sources.values())

    def configured(self) -> list[CreditSource]:
        return [s for s in self._sources.values() if s.is_configured()]

    def ask_all(self, query: SourceQuery) -> list[SourceAnswer]:
        """Ask every configured source, one after the other; failures become statuses, never exceptions.

        Sources are asked in sequence: the local ones answer in well under a millisecond and each HTTP
        source is bounded by its own timeout, retries and circuit breaker.
        """
        answers = []
        for source in self.configured():
            started = time.perf_counter()
            if not source.applies_to(query):
                answer = SourceAnswer(name=source.name, status=SourceStatus.NOT_APPLICABLE)
            else:
                try:
                    answer = source.query(query)
                except SourceUnavailable as exc:
                    answer = SourceAnswer(name=source.name, status=exc.status, detail=exc.detail)
                if answer is None:
                    continue
            answer.elapsed_ms = (time.perf_counter() - started) * 1000
            answers.append(answer)
        return answers


registry = Registry()
