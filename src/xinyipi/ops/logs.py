"""Structured logs: one JSON object per line, for requests, domain events and everything else.

A request line carries the request id, the user id, the route *pattern* (never the path: a path may hold a
subject's code), the status and the duration. A domain-event line is written when the event's transaction
commits, with the case id where the event is about a case. Neither carries a body, a query string or a
password; and ``RedactIdNumbers`` masks anything shaped like a resident ID number (GB 11643) that some other
message might carry, before any handler sees it.
"""

import contextvars
import datetime as dt
import json
import logging
import re

from django.db import transaction

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

REQUEST_LOGGER = logging.getLogger("xinyipi.request")
EVENT_LOGGER = logging.getLogger("xinyipi.event")
# 18 characters: 17 digits and a check character, not inside a longer run of digits (a USCC has letters).
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
STANDARD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
PLAIN = (str, int, float, bool, type(None))


def id_numbers_masked(text: str) -> str:
    return ID_NUMBER.sub(r"\1********\2", text)


class RedactIdNumbers(logging.Filter):
    """Masks resident ID numbers in the message and its arguments, whichever logger wrote them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = id_numbers_masked(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class TaskLinesAtDebug(logging.Filter):
    """The task queue announces every task it starts and ends at INFO; the worker runs one every few seconds,
    so those lines are demoted to DEBUG (shown with ``XINYIPI_LOG_LEVEL=DEBUG``). Failures keep their level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith(("Task id=", "Task ")):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...extra fields}`` on one line, UTF-8 kept readable."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()  # lines written while a request is answered carry its id
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            # Plain values only: an object's repr (Django's ``request`` extra) could carry a path or a body.
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_") and isinstance(value, PLAIN):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return id_numbers_masked(json.dumps(entry, ensure_ascii=False, default=str))


def request_log(*, method: str, route: str, status: int, duration_ms: float, user_id: int | None) -> None:
    REQUEST_LOGGER.info(
        "%s %s %s",
        method,
        route,
        status,
        extra={
            "request_id": request_id_var.get(),
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
            "user_id": user_id,
        },
    )


def domain_event_log(*, action: str, object_type: str, object_id: str, actor_id: int | None) -> None:
    """Logs the event once its transaction commits (nothing is logged for a write that is rolled back)."""
    fields = {"action": action, "object_type": object_type, "object_id": object_id, "user_id": actor_id}
    if object_type == "applications.application":
        fields["case_id"] = object_id
    request_id = request_id_var.get()
    if request_id:
        fields["request_id"] = request_id
    transaction.on_commit(lambda: EVENT_LOGGER.info(action, extra=fields))
