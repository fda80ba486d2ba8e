from ninja import Field, Router, Schema

from xinyipi.accounts.services import api_token_issue

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = Field(
        None,
        description="6-digit TOTP code; required for administrators when the second factor is required",
    )


class TokenOut(Schema):
    token: str


@router.post("/token", response=TokenOut, auth=None, summary="Obtain a bearer token")
def token(request, payload: TokenIn):
    token = api_token_issue(request=request, username=payload.username, password=payload.password, otp=payload.otp)
    return {"token": token}


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    department: str | None
    department_code: str | None


@router.get("/me", response=MeOut, summary="Who the bearer of this token is")
def me(request):
    from xinyipi.accounts.roles import roles_of

    user = request.auth
    return {
        "username": user.get_username(),
        "display_name": str(user),
        "roles": roles_of(user),
        "department": user.department.name if user.department else None,
        "department_code": user.department.code if user.department else None,
    }
