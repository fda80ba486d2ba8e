"""How an actor is named in records, letters and audit entries."""


def actor_label(actor) -> str:
    """The user name of a signed-in actor; "system" for the sweep, the worker and other unattended work."""
    return actor.get_username() if getattr(actor, "is_authenticated", False) else "system"
