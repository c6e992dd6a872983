from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from mpp.registry.models import Closure

from ..models import NonWorkingDay
from ..workdays import TABLE, add_working_days, deadline

pytestmark = pytest.mark.django_db
JAKARTA = ZoneInfo("Asia/Jakarta")


def test_weekends_are_skipped():
    assert add_working_days(date(2025, 7, 11), 1) == date(2025, 7, 14)  # Friday → Monday


def test_a_deadline_runs_over_eid_holidays_and_collective_leave():
    # Thursday 27 March 2025: Nyepi leave, Idul Fitri and its collective leave follow.
    assert add_working_days(date(2025, 3, 27), 3) == date(2025, 4, 10)


def test_collective_leave_can_be_counted_as_working_days(settings):
    settings.CITIZENS_COLLECTIVE_LEAVE_IS_OFF = False
    assert add_working_days(date(2025, 3, 27), 3) == date(2025, 4, 3)


def test_a_day_declared_later_stops_the_clock_too():
    NonWorkingDay.objects.create(date=date(2025, 7, 14), name="Cuti bersama", kind="holiday")
    assert add_working_days(date(2025, 7, 11), 1) == date(2025, 7, 15)


def test_working_day_deadlines_end_at_local_midnight_and_short_ones_are_exact():
    start = datetime(2025, 7, 10, 3, 0, tzinfo=UTC)  # Thursday 10:00 WIB
    due = deadline(start, 2, "working_days", JAKARTA)
    assert due.astimezone(JAKARTA).date() == date(2025, 7, 14)
    assert (due.astimezone(JAKARTA).hour, due.astimezone(JAKARTA).minute) == (23, 59)
    assert deadline(start, 60, "minutes", JAKARTA) == datetime(2025, 7, 10, 4, 0, tzinfo=UTC)
    assert deadline(start, 2, "days", JAKARTA) == datetime(2025, 7, 12, 3, 0, tzinfo=UTC)


def test_the_holiday_table_covers_2025_to_2027_with_unique_dates():
    days = [d for d, _k, _n in TABLE]
    assert len(days) == len(set(days))
    assert {d[:4] for d in days} == {"2025", "2026", "2027"}


def test_a_malls_closure_is_not_a_working_day_there_only(mall_sampit, mall_jakarta):
    friday = date(2026, 11, 27)
    Closure.objects.create(mall=mall_sampit, date=date(2026, 11, 30), reason="Libur daerah")
    assert add_working_days(friday, 1, mall=mall_sampit) == date(2026, 12, 1)
    assert add_working_days(friday, 1, mall=mall_jakarta) == date(2026, 11, 30)
    assert add_working_days(friday, 1) == date(2026, 11, 30)
