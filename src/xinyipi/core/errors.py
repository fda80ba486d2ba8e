"""Domain exceptions with stable codes. They are mapped to HTTP in one place (``api.errors``)."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule refused the request. ``code`` is stable snake_case; ``message`` is for people."""

    status = 422

    def __init__(self, code: str, message, field: str | None = None, **extra):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class ValidationFailed(DomainError):
    """Several fields at fault at once (imports, forms): ``errors`` lists each one."""

    def __init__(self, errors: list[DomainError], message=None):
        first = errors[0]
        super().__init__(first.code, message or first.message, first.field)
        self.errors = errors

    def as_dict(self) -> dict:
        body = super().as_dict()
        body["errors"] = [e.as_dict() for e in self.errors]
        return body


class NotFound(DomainError):
    status = 404

    def __init__(self, code: str = "not_found", message=None, field: str | None = None):
        super().__init__(code, message or _("未找到。"), field)


class NotPermitted(DomainError):
    status = 403

    def __init__(self, code: str = "permission_denied", message=None):
        super().__init__(code, message or _("您无权执行此操作。"))


class InvalidTransition(DomainError):
    """The object is not in a state that allows this move (or another actor moved it first)."""

    status = 409


class NotAuthenticated(DomainError):
    status = 401


class TooManyAttempts(DomainError):
    status = 429


def from_django_validation(exc) -> ValidationFailed:
    """A Django ``ValidationError`` (from ``full_clean``) as our error, one entry per field and message."""
    errors = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.append(DomainError("invalid_value", message, None if field == "__all__" else field))
    else:
        errors = [DomainError("invalid_value", message) for message in exc.messages]
    return ValidationFailed(errors or [DomainError("invalid_value", str(exc))])
