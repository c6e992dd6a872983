"""Who may see and handle complaints and survey data. Built on the registry's mall rules:

| role             | complaints, responses, compliance | handle (reply, change status) |
|------------------|-----------------------------------|-------------------------------|
| ministry analyst | every mall (read only)            | no                            |
| mall manager     | the malls they manage             | the malls they manage         |
| counter officer  | the mall of their posting         | the mall of their posting     |
| citizen, public  | only the public tracking page     | no                            |

Old (2004-method) SKM reports are imported by a mall's managers and by ministry analysts
(for any mall); paper questionnaires are entered by whoever handles the mall's complaints.
"""

from django.core.exceptions import PermissionDenied

from mpp.accounts.models import Role
from mpp.registry.access import can_edit_mall, can_view_mall

from .models import Complaint


def can_handle_complaints(user, mall) -> bool:
    if can_edit_mall(user, mall):
        return True
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.COUNTER_OFFICER
        and can_view_mall(user, mall)
    )


def access_complaint(user, complaint: Complaint, *, handle: bool = False) -> Complaint:
    allowed = (
        can_handle_complaints(user, complaint.mall)
        if handle
        else can_view_mall(user, complaint.mall)
    )
    if not allowed:
        raise PermissionDenied
    return complaint


def can_import_legacy(user, mall) -> bool:
    if can_edit_mall(user, mall):
        return True
    return user.is_authenticated and user.is_active and user.role == Role.MINISTRY_ANALYST


def can_enter_paper_forms(user, mall) -> bool:
    return can_handle_complaints(user, mall)
