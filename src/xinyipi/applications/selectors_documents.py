"""Reads of a case's printable texts: the letter or pledge the applicant accepted and the numbered documents
issued, as the case pages list them, and what the public verification page may say about one of them."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from xinyipi.applications import letters
from xinyipi.applications.models import (
    Application,
    CaseDocument,
    CommitmentLetter,
    LetterKind,
    Status,
    SupplementPledge,
)
from xinyipi.applications.signing import document_by_token, verification_token
from xinyipi.core import clock


@dataclass(frozen=True)
class Printable:
    """One document of a case as the pages show it: a frozen letter, pledge or numbered document."""

    ref: str  # in the case's URLs: ``letter``, ``pledge`` or ``d<id>``
    kind: str
    title: str
    number: str
    issued_at: object
    text: str
    text_sm3: str
    row: object

    @property
    def token(self) -> str:
        return verification_token(self.row)

    def intact(self) -> bool:
        return self.row.text_intact()


def _letter(application: Application):
    return CommitmentLetter.objects.filter(application=application).first()


def _pledge(application: Application):
    return SupplementPledge.objects.filter(application=application).first()


def _accepted_number(application: Application, kind: str) -> str:
    """The number of the letter or pledge the applicant accepted: the case number and the kind's place."""
    return f"{application.number}-{LetterKind.values.index(kind) + 1:02d}"


def _accepted(application: Application, *, ref: str, kind: LetterKind, row) -> Printable:
    return Printable(
        ref=ref,
        kind=kind,
        title=str(kind.label),
        number=_accepted_number(application, kind),
        issued_at=row.accepted_at,
        text=row.text,
        text_sm3=row.text_sm3,
        row=row,
    )


def case_documents(application: Application) -> list[Printable]:
    """Every printable text of the case: the letter or pledge the applicant accepted, then the documents
    issued, oldest first."""
    items = []
    letter = _letter(application)
    if letter is not None:
        items.append(_accepted(application, ref="letter", kind=LetterKind.COMMITMENT_LETTER, row=letter))
    pledge = _pledge(application)
    if pledge is not None:
        items.append(_accepted(application, ref="pledge", kind=LetterKind.SUPPLEMENT_PLEDGE, row=pledge))
    for document in CaseDocument.objects.filter(application=application).order_by("id"):
        items.append(
            Printable(
                ref=f"d{document.pk}",
                kind=document.kind,
                title=str(document.get_kind_display()),
                number=document.number,
                issued_at=document.issued_at,
                text=document.text,
                text_sm3=document.text_sm3,
                row=document,
            )
        )
    return items


def case_document(application: Application, ref: str) -> Printable | None:
    return next((item for item in case_documents(application) if item.ref == ref), None)


@dataclass(frozen=True)
class VerificationView:
    """What the public verification page may show: never the subject, only the document and its state."""

    kind_label: str
    number: str
    case_number: str
    matter_code: str
    issued_on: object
    text_sm3: str
    status: str  # valid | revoked | altered
    status_label: str


_STATUS_LABELS = {
    "valid": gettext_lazy("有效"),
    "revoked": gettext_lazy("已撤销"),
    "altered": gettext_lazy("文本与存档摘要不符"),
}


def document_verification(token: str) -> VerificationView | None:
    """The state of the document a QR code points at: valid, revoked (the approval it records was
    revoked), or altered (the stored text no longer matches its SM3 hash)."""
    row = document_by_token(token)
    if row is None:
        return None
    application = row.application
    if isinstance(row, CaseDocument):
        kind, number, at = row.kind, row.number, row.issued_at
    else:
        kind = LetterKind.COMMITMENT_LETTER if isinstance(row, CommitmentLetter) else LetterKind.SUPPLEMENT_PLEDGE
        number = _accepted_number(application, kind)
        at = row.accepted_at
    if not row.text_intact():
        status = "altered"
    elif kind in letters.APPROVAL_KINDS and application.status == Status.REVOKED:
        status = "revoked"
    else:
        status = "valid"
    return VerificationView(
        kind_label=str(LetterKind(kind).label),
        number=number,
        case_number=application.number,
        matter_code=application.matter.code,
        issued_on=clock.to_beijing(at).date(),
        text_sm3=row.text_sm3,
        status=status,
        status_label=str(_STATUS_LABELS[status]),
    )
