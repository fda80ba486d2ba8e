from ninja import Router, Schema

from xinyipi.accounts.services import api_token_issue

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/token", response={200: TokenOut}, auth=None, summary="Obtain a bearer token")
def token(request, payload: TokenIn):
    return 200, {"token": api_token_issue(request=request, username=payload.username, password=payload.password)}
