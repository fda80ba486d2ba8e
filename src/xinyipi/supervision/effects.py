"""What a listing taking effect does elsewhere (R9: "conveniences granted and not yet used up are withdrawn").

``supervision`` knows the city list, not the apps whose conveniences a listing ends: each such app registers a
handler here when it is ready (``AppConfig.ready``), and ``blacklist_entry_list`` calls every handler inside the
transaction that puts the listing into effect — so the listing and all of its effects commit together, or none
of them. A handler takes ``subject``, ``actor`` and ``entry`` as keywords and must not open a durable
transaction of its own.
"""

from collections.abc import Callable

_handlers: dict[str, Callable] = {}


def listing_effect(name: str):
    """Register the decorated function as the listing effect called ``name`` (one per name, kept in order)."""

    def register(handler: Callable) -> Callable:
        if name in _handlers and _handlers[name] is not handler:
            raise ValueError(f"listing effect {name!r} registered twice")
        _handlers[name] = handler
        return handler

    return register


def listing_effects() -> dict[str, Callable]:
    return dict(_handlers)


def listing_effects_apply(*, subject, actor, entry) -> dict[str, object]:
    """Run every registered effect of ``entry`` taking effect; returns what each handler returned, by name."""
    return {name: handler(subject=subject, actor=actor, entry=entry) for name, handler in _handlers.items()}
