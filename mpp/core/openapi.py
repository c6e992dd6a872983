"""The API schema names every status an operation can answer: besides each operation's
own responses, the errors any of them may give (bad input, not signed in, not allowed or
second factor missing, not found, wrong method, a state conflict, a rate limit or lock)."""

ERROR_RESPONSES = {
    "400": "Invalid input; the body names the fields.",
    "401": "Not signed in (or a wrong token).",
    "403": "Not allowed, or the second factor (two-factor sign-in) is missing.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "409": "The action does not fit the current state.",
    "429": "Too many requests (a rate limit or a login lockout); try again later.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: add the shared error responses."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "description": "`detail` (and `code`, `field`) or, for invalid input, the "
            "fields with their messages.",
            "additionalProperties": True,
        },
    )
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_RESPONSES.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": error}
                )
    return result
