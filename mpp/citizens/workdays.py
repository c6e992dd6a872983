"""The one working-day calendar of the platform: weekends, national holidays (*hari libur
nasional*), collective leave (*cuti bersama*) and, for a mall, its own closures are not working
days. Application deadlines, complaint deadlines and every other "N working days" use
`add_working_days` (docs/decisions/0022).

Source: the joint decree of the Ministers of Religious Affairs, Manpower and
Administrative Reform (SKB 3 Menteri) on national holidays and collective leave, published
each year:
- 2025: SKB No. 1017/2024, 2/2024, 2/2024 (14 October 2024), plus 18 August 2025 declared a
  collective leave day for the 80th Independence Day.
- 2026: SKB of 2025 for the year 2026.
- 2027: PROVISIONAL — the decree was not published when this table was written; the
  Islamic, Chinese, Balinese and Buddhist dates are astronomical estimates. Replace them
  when the decree appears, or add the official days as NonWorkingDay rows in the admin.

Days declared later (a new cuti bersama, a moved holiday) go into the NonWorkingDay table;
the CITIZENS_COLLECTIVE_LEAVE_IS_OFF setting (default True) decides whether collective leave
stops the clock.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from mpp.registry.models import Closure, Mall

H, CB = "holiday", "collective_leave"

TABLE: list[tuple[str, str, str]] = [
    # 2025 (official)
    ("2025-01-01", H, "Tahun Baru 2025 Masehi"),
    ("2025-01-27", H, "Isra Mikraj Nabi Muhammad SAW"),
    ("2025-01-28", CB, "Cuti bersama Tahun Baru Imlek"),
    ("2025-01-29", H, "Tahun Baru Imlek 2576 Kongzili"),
    ("2025-03-28", CB, "Cuti bersama Hari Suci Nyepi"),
    ("2025-03-29", H, "Hari Suci Nyepi Tahun Baru Saka 1947"),
    ("2025-03-31", H, "Idul Fitri 1446 H"),
    ("2025-04-01", H, "Idul Fitri 1446 H"),
    ("2025-04-02", CB, "Cuti bersama Idul Fitri"),
    ("2025-04-03", CB, "Cuti bersama Idul Fitri"),
    ("2025-04-04", CB, "Cuti bersama Idul Fitri"),
    ("2025-04-07", CB, "Cuti bersama Idul Fitri"),
    ("2025-04-18", H, "Wafat Yesus Kristus"),
    ("2025-04-20", H, "Kebangkitan Yesus Kristus (Paskah)"),
    ("2025-05-01", H, "Hari Buruh Internasional"),
    ("2025-05-12", H, "Hari Raya Waisak 2569 BE"),
    ("2025-05-13", CB, "Cuti bersama Hari Raya Waisak"),
    ("2025-05-29", H, "Kenaikan Yesus Kristus"),
    ("2025-05-30", CB, "Cuti bersama Kenaikan Yesus Kristus"),
    ("2025-06-01", H, "Hari Lahir Pancasila"),
    ("2025-06-06", H, "Idul Adha 1446 H"),
    ("2025-06-09", CB, "Cuti bersama Idul Adha"),
    ("2025-06-27", H, "Tahun Baru Islam 1447 H"),
    ("2025-08-17", H, "Hari Kemerdekaan RI"),
    ("2025-08-18", CB, "Cuti bersama HUT ke-80 RI"),
    ("2025-09-05", H, "Maulid Nabi Muhammad SAW"),
    ("2025-12-25", H, "Hari Raya Natal"),
    ("2025-12-26", CB, "Cuti bersama Hari Raya Natal"),
    # 2026
    ("2026-01-01", H, "Tahun Baru 2026 Masehi"),
    ("2026-01-16", H, "Isra Mikraj Nabi Muhammad SAW"),
    ("2026-02-16", CB, "Cuti bersama Tahun Baru Imlek"),
    ("2026-02-17", H, "Tahun Baru Imlek 2577 Kongzili"),
    ("2026-03-18", CB, "Cuti bersama Hari Suci Nyepi"),
    ("2026-03-19", H, "Hari Suci Nyepi Tahun Baru Saka 1948"),
    ("2026-03-20", CB, "Cuti bersama Idul Fitri"),
    ("2026-03-21", H, "Idul Fitri 1447 H"),
    ("2026-03-22", H, "Idul Fitri 1447 H"),
    ("2026-03-23", CB, "Cuti bersama Idul Fitri"),
    ("2026-03-24", CB, "Cuti bersama Idul Fitri"),
    ("2026-04-03", H, "Wafat Yesus Kristus"),
    ("2026-04-05", H, "Kebangkitan Yesus Kristus (Paskah)"),
    ("2026-05-01", H, "Hari Buruh Internasional"),
    ("2026-05-14", H, "Kenaikan Yesus Kristus"),
    ("2026-05-15", CB, "Cuti bersama Kenaikan Yesus Kristus"),
    ("2026-05-27", H, "Idul Adha 1447 H"),
    ("2026-05-28", CB, "Cuti bersama Idul Adha"),
    ("2026-05-31", H, "Hari Raya Waisak 2570 BE"),
    ("2026-06-01", H, "Hari Lahir Pancasila"),
    ("2026-06-16", H, "Tahun Baru Islam 1448 H"),
    ("2026-08-17", H, "Hari Kemerdekaan RI"),
    ("2026-08-25", H, "Maulid Nabi Muhammad SAW"),
    ("2026-12-24", CB, "Cuti bersama Hari Raya Natal"),
    ("2026-12-25", H, "Hari Raya Natal"),
    # 2027 (provisional estimates, see the module docstring)
    ("2027-01-01", H, "Tahun Baru 2027 Masehi"),
    ("2027-01-05", H, "Isra Mikraj Nabi Muhammad SAW (perkiraan)"),
    ("2027-02-06", H, "Tahun Baru Imlek 2578 Kongzili (perkiraan)"),
    ("2027-03-10", H, "Idul Fitri 1448 H (perkiraan)"),
    ("2027-03-11", H, "Idul Fitri 1448 H (perkiraan)"),
    ("2027-03-26", H, "Wafat Yesus Kristus"),
    ("2027-03-28", H, "Kebangkitan Yesus Kristus (Paskah)"),
    ("2027-04-08", H, "Hari Suci Nyepi (perkiraan)"),
    ("2027-05-01", H, "Hari Buruh Internasional"),
    ("2027-05-06", H, "Kenaikan Yesus Kristus"),
    ("2027-05-17", H, "Idul Adha 1448 H (perkiraan)"),
    ("2027-05-20", H, "Hari Raya Waisak (perkiraan)"),
    ("2027-06-01", H, "Hari Lahir Pancasila"),
    ("2027-06-06", H, "Tahun Baru Islam 1449 H (perkiraan)"),
    ("2027-08-15", H, "Maulid Nabi Muhammad SAW (perkiraan)"),
    ("2027-08-17", H, "Hari Kemerdekaan RI"),
    ("2027-12-25", H, "Hari Raya Natal"),
]
TABLE_YEARS = range(2025, 2028)


def collective_leave_is_off() -> bool:
    return settings.CITIZENS_COLLECTIVE_LEAVE_IS_OFF


@lru_cache(maxsize=4)
def _table_days(include_collective_leave: bool) -> frozenset[date]:
    return frozenset(
        date.fromisoformat(day)
        for day, kind, _name in TABLE
        if kind == H or include_collective_leave
    )


def non_working_days(start: date, end: date, *, mall: Mall | None = None) -> set[date]:
    """Holidays and (if configured) collective leave between `start` and `end` inclusive,
    from the shipped table and the NonWorkingDay table, plus the closures of `mall`."""
    from .models import NonWorkingDay, NonWorkingKind

    include_cb = collective_leave_is_off()
    days = {d for d in _table_days(include_cb) if start <= d <= end}
    extra = NonWorkingDay.objects.filter(date__range=(start, end))
    if not include_cb:
        extra = extra.filter(kind=NonWorkingKind.HOLIDAY)
    days.update(extra.values_list("date", flat=True))
    if mall is not None:
        closures = Closure.objects.filter(mall=mall, date__range=(start, end))
        days.update(closures.values_list("date", flat=True))
    return days


def add_working_days(day: date, count: int, *, mall: Mall | None = None) -> date:
    """The `count`-th working day after `day` (`day` itself never counts), skipping the
    national calendar and, when given, the closures of `mall`."""
    off = non_working_days(day, day + timedelta(days=count * 3 + 30), mall=mall)
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            remaining -= 1
    return current


def deadline(
    start: datetime, value: int, unit: str, tz: ZoneInfo, *, mall: Mall | None = None
) -> datetime:
    """When a service started at `start` must be complete, given the standard's completion
    time. Working days end at midnight local time of the last working day; a mall's
    closures do not count as working days."""
    if unit == "minutes":
        return start + timedelta(minutes=value)
    if unit == "hours":
        return start + timedelta(hours=value)
    if unit == "days":
        return start + timedelta(days=value)
    if unit == "working_days":
        last = add_working_days(start.astimezone(tz).date(), value, mall=mall)
        return datetime.combine(last, time.max, tzinfo=tz)
    raise ValueError(f"Unknown completion time unit: {unit}")
