"""Helpers to generate raw visits (tickets) and their rollups for monitoring tests."""

import itertools
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mpp.registry.models import Agency, Mall, Service, Tenancy
from mpp.visits.models import Ticket, TicketStatus
from mpp.visits.rollups import rollups_rebuild

_numbers = itertools.count(1)


def service_for(mall: Mall, slug: str = "ktp-el", agency_code: str = "dukcapil") -> Service:
    agency = Agency.objects.get(code=agency_code)
    Tenancy.objects.get_or_create(mall=mall, agency=agency)
    service, _ = Service.objects.get_or_create(
        mall=mall,
        slug=slug,
        defaults={"agency": agency, "name": slug.upper(), "ticket_prefix": "A"},
    )
    return service


def local(mall: Mall, day, hour: int, minute: int = 0) -> datetime:
    """A moment at `hour`:`minute` on `day` in the mall's own zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(mall.timezone_name))


def make_ticket(
    service: Service,
    issued_at: datetime,
    *,
    status: str = TicketStatus.FINISHED,
    wait_minutes: int | None = 10,
    service_minutes: int | None = 5,
) -> Ticket:
    """A visit as the queue would have recorded it; local_date in the mall's zone."""
    mall = service.mall
    called = issued_at + timedelta(minutes=wait_minutes) if wait_minutes is not None else None
    finished = started = None
    if status == TicketStatus.FINISHED:
        started = called or issued_at
        finished = started + timedelta(minutes=service_minutes or 0)
    return Ticket.objects.create(
        mall=mall,
        service=service,
        agency=service.agency,
        prefix="A",
        number=next(_numbers),
        local_date=issued_at.astimezone(ZoneInfo(mall.timezone_name)).date(),
        status=status,
        issued_at=issued_at,
        queued_at=issued_at,
        sort_key=issued_at,
        called_at=called,
        last_called_at=called,
        started_at=started,
        finished_at=finished,
    )


def visits(service: Service, day, count: int, hour: int = 9) -> None:
    for i in range(count):
        make_ticket(service, local(service.mall, day, hour, i % 60))


@pytest.fixture
def rebuild():
    return lambda: rollups_rebuild()


def fake_rollups(codes, days, per_day) -> None:
    """Rollup rows written directly (no tickets): `per_day(index, code)` visits per day."""
    from mpp.visits.models import DailyRollup

    rows = []
    for index, code in enumerate(codes):
        service = service_for(Mall.objects.get(code=code))
        for day in days:
            issued = per_day(index, code)
            rows.append(
                DailyRollup(
                    mall=service.mall,
                    service=service,
                    agency=service.agency,
                    local_date=day,
                    issued=issued,
                    served=issued - issued // 10,
                    no_shows=issued // 10,
                    called=issued,
                    wait_seconds_sum=issued * 600,
                    service_seconds_sum=issued * 300,
                    served_within_standard=issued // 2,
                )
            )
    DailyRollup.objects.bulk_create(rows)
