"""Who may see and change which mall. Every management view asks here, nowhere else.

The matrix (tested in tests/test_access.py):

| role             | mall console                 | edit mall, tenants, services, pledge |
|------------------|------------------------------|--------------------------------------|
| ministry analyst | every mall (read only)       | no                                   |
| mall manager     | the malls they manage        | the malls they manage                |
| counter officer  | the mall of their posting    | no                                   |
| citizen          | none                         | no                                   |
| superuser        | every mall                   | every mall                           |
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from mpp.accounts.models import Role

from .models import Mall


def malls_visible_to(user) -> QuerySet[Mall]:
    """The malls whose management console `user` may open."""
    if not user.is_authenticated:
        return Mall.objects.none()
    if user.is_superuser or user.role == Role.MINISTRY_ANALYST:
        return Mall.objects.all()
    if user.role == Role.MALL_MANAGER:
        return Mall.objects.filter(managers=user)
    if user.role == Role.COUNTER_OFFICER:
        return Mall.objects.filter(postings__officer=user)
    return Mall.objects.none()


def can_view_mall(user, mall: Mall) -> bool:
    return malls_visible_to(user).filter(pk=mall.pk).exists()


def can_edit_mall(user, mall: Mall) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role == Role.MALL_MANAGER and mall.managers.filter(pk=user.pk).exists()


def access_mall(user, mall: Mall, *, edit: bool = False) -> Mall:
    """Return the mall if `user` may view it (or edit it, when `edit`), else refuse."""
    allowed = can_edit_mall(user, mall) if edit else can_view_mall(user, mall)
    if not allowed:
        raise PermissionDenied
    return mall
