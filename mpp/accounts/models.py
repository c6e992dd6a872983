from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY_ANALYST = "ministry_analyst", _("Ministry analyst")
    MALL_MANAGER = "mall_manager", _("Mall manager")
    COUNTER_OFFICER = "counter_officer", _("Counter officer")
    CITIZEN = "citizen", _("Citizen")


class User(AbstractUser):
    """Every person who signs in. What they may touch follows from `role`; which malls a
    manager runs or where an officer works is recorded in the registry app."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CITIZEN)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
