"""The public verification tokens of frozen texts (letters, pledges, numbered documents): each names its row and
carries a keyed signature over the text's SM3 hash, so a token cannot be made for a document one was not given,
and a QR code keeps pointing at the text it was printed for."""

import hmac

from xinyipi.applications.models import CaseDocument, CommitmentLetter, SupplementPledge
from xinyipi.core.crypto import blind_index

_PREFIX = {CaseDocument: "d", CommitmentLetter: "c", SupplementPledge: "p"}
_MODEL = {prefix: model for model, prefix in _PREFIX.items()}


def _signature(prefix: str, pk: int, text_sm3: str) -> str:
    # Keyed (the field key): a token cannot be made for a document one has not been given.
    return blind_index(f"document-verification:{prefix}{pk}:{text_sm3}")[:20]


def verification_token(row) -> str:
    """The public token of a frozen text: its kind and id, and a keyed signature over its SM3 hash."""
    prefix = _PREFIX[type(row)]
    return f"{prefix}{row.pk}-{_signature(prefix, row.pk, row.text_sm3)}"


def document_by_token(token: str):
    """The frozen text a verification token names, or None (unknown, malformed or forged)."""
    head, _sep, signature = (token or "").partition("-")
    prefix, digits = head[:1], head[1:]
    model = _MODEL.get(prefix)
    if model is None or not digits.isdigit() or len(digits) > 12 or not signature:
        return None
    row = model.objects.select_related("application__matter").filter(pk=int(digits)).first()
    if row is None or not hmac.compare_digest(signature, _signature(prefix, row.pk, row.text_sm3)):
        return None
    return row
