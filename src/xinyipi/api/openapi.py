"""The OpenAPI document states the one error shape on every operation, so clients can rely on it."""

from ninja import NinjaAPI

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "stable snake_case code"},
        "message": {"type": "string", "description": "for people; zh-Hans or en by Accept-Language"},
        "field": {"type": "string", "description": "the field at fault, when one is"},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "every fault, when several"},
    },
}

_DESCRIPTIONS = {
    "400": "Malformed request body",
    "401": "Missing, expired or invalid credentials",
    "403": "Not permitted for this user",
    "404": "Not found (or outside the user's department)",
    "409": "Conflicts with the current state",
    "413": "Request body larger than allowed",
    "422": "Invalid input or refused by a rule",
    "429": "Too many attempts",
}


class DocumentedErrorsAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                statuses = {"404", "422"}
                if operation.get("security"):
                    statuses |= {"401", "403"}
                if method in {"post", "put", "patch"}:
                    statuses |= {"400", "409", "413"}
                if operation.get("operationId", "").endswith("_token"):
                    statuses |= {"401", "429"}
                # Ninja keys its own responses by int; JSON keys are strings either way.
                responses = {str(status): body for status, body in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status in sorted(statuses):
                    responses.setdefault(status, {"description": _DESCRIPTIONS[status], "content": reference})
        return schema
