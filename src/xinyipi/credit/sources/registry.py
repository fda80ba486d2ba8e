"""The registry of credit source plugins, and the loop that asks each configured one."""

import time
from concurrent.futures import ThreadPoolExecutor

from xinyipi.credit.categories import SourceStatus
from xinyipi.credit.sources.base import CreditSource, SourceAnswer, SourceQuery, SourceUnavailable, probes_run


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
        """Ask every configured source; failures become statuses, never exceptions.

        Remote sources (HTTP) are asked at the same time, each in its own thread and bounded by its own
        timeout, retries and circuit breaker, so a check waits for the slowest of them, not their sum.
        Local sources run in this thread: they use the database connection, which belongs to it.
        """
        configured = self.configured()
        probes_run(configured, query)
        remote = [s for s in configured if s.is_remote() and s.applies_to(query)]
        answers: dict[str, SourceAnswer | None] = {}
        if len(remote) > 1:
            with ThreadPoolExecutor(max_workers=len(remote), thread_name_prefix="credit-source") as pool:
                futures = {source.name: pool.submit(_ask, source, query) for source in remote}
                for source in configured:
                    if source.name not in futures:
                        answers[source.name] = _ask(source, query)
                for name, future in futures.items():
                    answers[name] = future.result()
        else:
            for source in configured:
                answers[source.name] = _ask(source, query)
        return [answers[s.name] for s in configured if answers.get(s.name) is not None]


def _ask(source: CreditSource, query: SourceQuery) -> SourceAnswer | None:
    started = time.perf_counter()
    if not source.applies_to(query):
        answer = SourceAnswer(name=source.name, status=SourceStatus.NOT_APPLICABLE)
    else:
        try:
            answer = source.query(query)
        except SourceUnavailable as exc:
            answer = SourceAnswer(name=source.name, status=exc.status, detail=exc.detail)
        if answer is None:
            return None
    answer.elapsed_ms = (time.perf_counter() - started) * 1000
    return answer


registry = Registry()
