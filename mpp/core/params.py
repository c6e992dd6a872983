"""Reading ids from forms and query strings: a malformed value is "no such thing" (a clear
refusal or a 404 upstream), never a ValueError that becomes a 500."""

from uuid import UUID


def pk_or_none(value) -> int | None:
    """A primary key, or None when it is missing or not a whole number."""
    value = str(value if value is not None else "").strip()
    return int(value) if value.isdigit() else None


def uuid_or_none(value) -> UUID | None:
    try:
        return UUID(str(value or ""))
    except ValueError:
        return None
