"""Where other areas add panels to a subject's console page (e.g. its past credit checks).

An app registers a panel once, in its ``AppConfig.ready()``::

    from xinyipi.subjects.panels import SubjectPanel, subject_panel_register

    subject_panel_register(SubjectPanel(
        key="credit_checks",
        template_name="credit/_subject_checks.html",   # rendered with ``subject`` and ``panel`` (the dict below)
        perm="credit.view_creditcheck",                 # shown only to those who hold it
        context=lambda request, subject: {"checks": credit_checks_for(subject=subject, limit=10)},
        order=10,
    ))
"""

from collections.abc import Callable
from dataclasses import dataclass

from xinyipi.subjects.models import Subject


@dataclass(frozen=True)
class SubjectPanel:
    key: str
    template_name: str
    perm: str | None = None
    context: Callable[..., dict] | None = None
    order: int = 100


_PANELS: dict[str, SubjectPanel] = {}


def subject_panel_register(panel: SubjectPanel) -> None:
    """Add (or replace, by ``key``) a panel; idempotent so that a reloaded app registers once."""
    _PANELS[panel.key] = panel


def subject_panels_for(request, subject: Subject) -> list[dict]:
    """The panels this user may see, in order, each as ``{key, template_name, context}``."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if panel.perm and not request.user.has_perm(panel.perm):
            continue
        context = panel.context(request, subject) if panel.context else {}
        shown.append({"key": panel.key, "template_name": panel.template_name, "context": context})
    return shown
