"""Cases filed at the window, one function per mode, for the matters of ``conftest.py``: ``standard_matter``
(A1, A2), ``tolerance_matter`` (A1; B1, B2 tolerable; B3), ``certificate_matter`` (A1; C1 replaceable; C2)
and ``licence_matter`` (A1; C1 replaceable)."""

from xinyipi.applications.models import Application
from xinyipi.applications.services import application_file


def standard_case(clerk, matter, subject, **extra) -> Application:
    """Every material brought (A1, A2): ``under_review``."""
    return application_file(
        actor=clerk, matter=matter, subject=subject, mode="standard", materials=["A1", "A2"], channel="window", **extra
    )


def tolerance_case(clerk, matter, subject) -> Application:
    """B1 and B2 missing under a supplement pledge: ``awaiting_supplement``."""
    return application_file(
        actor=clerk,
        matter=matter,
        subject=subject,
        mode="tolerance",
        materials=["A1", "B3"],
        supplement_pledge={"accepted": True},
        channel="window",
    )


def licence_case(clerk, matter, subject) -> Application:
    """Licence commitment replacing C1: ``approved`` on the spot, verification due."""
    return application_file(
        actor=clerk,
        matter=matter,
        subject=subject,
        mode="commitment",
        materials=["A1"],
        commitment={"certificates": ["C1"], "accepted": True},
        channel="window",
    )


def certificate_case(clerk, matter, subject, **commitment) -> Application:
    """Certificate commitment replacing C1 (``commitment`` adds to or overrides the letter's fields):
    ``under_review``."""
    return application_file(
        actor=clerk,
        matter=matter,
        subject=subject,
        mode="commitment",
        materials=["A1", "C2"],
        commitment={"certificates": ["C1"], "accepted": True, **commitment},
        channel="window",
    )
