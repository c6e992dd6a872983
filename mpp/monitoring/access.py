"""Who may see what in national monitoring (tested in tests/test_views.py):

| role             | national/province pages, exports | mall drill-down | upload, tokens |
|------------------|----------------------------------|-----------------|----------------|
| ministry analyst | yes                              | every mall      | no             |
| mall manager     | no                               | their malls     | their malls    |
| counter officer  | no                               | no              | no             |
| superuser        | yes                              | every mall      | every mall     |
| anyone           | open data only                   | no              | no             |
"""

from django.core.exceptions import PermissionDenied

from mpp.accounts.models import Role
from mpp.registry.access import can_edit_mall
from mpp.registry.models import Mall


def can_view_national(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.role == Role.MINISTRY_ANALYST


def access_national(user) -> None:
    if not can_view_national(user):
        raise PermissionDenied


def access_mall_numbers(user, mall: Mall) -> Mall:
    """A mall's drill-down: analysts, or the mall's own managers."""
    if can_view_national(user) or can_edit_mall(user, mall):
        return mall
    raise PermissionDenied


def can_report_counts(user) -> bool:
    """May open the upload and token pages (which mall is checked per row / per page)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.role == Role.MALL_MANAGER
