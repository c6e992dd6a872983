"""ISO weeks ("2025-W23"): parsing, bounds and the week that has just ended.

A mall's week runs Monday 00:00 to Monday 00:00 in its own zone. Every visit row carries
the mall's local date, so a week is simply the seven local dates Monday..Sunday."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> "IsoWeek":
        """`2025-W23` → IsoWeek; a clear error for a malformed or non-existent week."""
        match = WEEK_PATTERN.match((text or "").strip())
        if not match:
            raise ValidationError(
                {
                    "week": _("Write the week as YYYY-Www, e.g. 2025-W23 (got '%(value)s').")
                    % {"value": text}
                }
            )
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValidationError(
                {
                    "week": _("Week %(week)s does not exist in %(year)s.")
                    % {"week": week, "year": year}
                }
            ) from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> "IsoWeek":
        year, week, _weekday = day.isocalendar()
        return cls(year, week)

    @classmethod
    def last_complete(cls, now: datetime | None = None) -> "IsoWeek":
        """The latest week that has ended everywhere in Indonesia by `now`. Jayapura
        (UTC+9) ends its week first, Jakarta and Pontianak (UTC+7) last."""
        from django.utils import timezone

        now = now or timezone.now()
        return cls.of(now.astimezone(JAKARTA).date()).previous()

    @classmethod
    def current(cls, now: datetime | None = None) -> "IsoWeek":
        """The week still running in Jakarta (the last zone to end it)."""
        return cls.last_complete(now).next()

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def shifted(self, weeks: int) -> "IsoWeek":
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))

    def previous(self) -> "IsoWeek":
        return self.shifted(-1)

    def next(self) -> "IsoWeek":
        return self.shifted(1)


def week_period(week: IsoWeek, *, current_ok: bool = False, now: datetime | None = None) -> dict:
    """Whether `week` can be reported: a complete week is final; the running week only when
    asked for (`current_ok`), and then provisional ("sementara") with the days it covers so
    far; a later week is refused with a clear message."""
    from django.utils import timezone

    now = now or timezone.now()
    running = IsoWeek.current(now)
    if week > running:
        raise ValidationError(
            {
                "week": _(
                    "Week %(week)s has not started yet: the latest complete week is %(latest)s."
                )
                % {"week": week, "latest": running.previous()}
            }
        )
    if week < running:
        return {"provisional": False, "days_covered": 7, "covered_until": week.sunday}
    if not current_ok:
        raise ValidationError(
            {
                "week": _(
                    "Week %(week)s is still running: ask for it as a provisional report "
                    "(current=1), or read the latest complete week %(latest)s."
                )
                % {"week": week, "latest": running.previous()}
            }
        )
    today = now.astimezone(JAKARTA).date()
    return {
        "provisional": True,
        "days_covered": (today - week.monday).days + 1,
        "covered_until": today,
    }
