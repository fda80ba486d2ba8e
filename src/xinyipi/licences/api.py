"""``GET /api/v1/licences/{identifier}`` (DESIGN.md §6.1): the public check of an electronic licence, no token."""

from django.utils.translation import gettext as _
from ninja import Router

from xinyipi.api.schemas import ErrorOut
from xinyipi.core.errors import NotFound
from xinyipi.licences.schemas import LicenceCheckOut, licence_check_out
from xinyipi.licences.selectors import licence_check

router = Router(tags=["licences"])


@router.get(
    "/{identifier}",
    response={200: LicenceCheckOut, 404: ErrorOut},
    auth=None,
    exclude_unset=True,
    summary="Check an electronic licence: valid, revoked or expired (unknown or forged → 404)",
)
def licence_get(request, identifier: str):
    found = licence_check(identifier)
    if found is None:
        # One answer for a malformed, forged or unknown identifier: nothing tells what exists.
        raise NotFound("licence_not_found", _("未找到该电子证照。"), "identifier")
    return licence_check_out(found)
