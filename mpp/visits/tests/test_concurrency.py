"""Sixteen kiosks and counters at once against PostgreSQL: every number is unique and no
ticket is called by two counters. (SQLite serialises writers with IMMEDIATE transactions;
its in-memory test database cannot host parallel writers, so this runs on PostgreSQL.)"""

import threading
from collections import Counter as Tally
from datetime import date

import pytest
from django.db import connection

from mpp.accounts.models import Role, User
from mpp.registry.models import (
    Agency,
    Counter,
    Mall,
    OfficerPosting,
    Province,
    Regency,
    Service,
    Tenancy,
)
from mpp.visits import services as q
from mpp.visits.models import DailyRollup, Ticket, TicketStatus

WORKERS = 16
TICKETS_PER_WORKER = 25

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="parallel writers need PostgreSQL"
    ),
]


def small_mall():
    """A mall built from scratch: the transactional test database starts empty."""
    province, _ = Province.objects.get_or_create(code="62", defaults={"name": "KALIMANTAN TENGAH"})
    regency, _ = Regency.objects.get_or_create(
        code="62.02", defaults={"name": "KAB. KOTAWARINGIN TIMUR", "province": province}
    )
    mall = Mall.objects.create(
        code="mpp-test",
        name="MPP Uji",
        province=province,
        regency=regency,
        inaugurated_on=date(2024, 1, 1),
    )
    agency = Agency.objects.create(
        code="dukcapil-t", short_name="Dukcapil", name="Dukcapil", level="regional"
    )
    Tenancy.objects.create(mall=mall, agency=agency)
    service = Service.objects.create(
        mall=mall, agency=agency, name="KTP", slug="ktp", ticket_prefix="A"
    )
    counters, officers = [], []
    for number in range(WORKERS):
        counter = Counter.objects.create(mall=mall, number=str(number + 1), agency=agency)
        counter.services.set([service])
        officer = User.objects.create_user(f"officer{number}", role=Role.COUNTER_OFFICER)
        OfficerPosting.objects.create(officer=officer, mall=mall, agency=agency)
        q.counter_open(counter=counter, officer=officer)
        counters.append(counter)
        officers.append(officer)
    return mall, service, counters, officers


def run_in_parallel(work):
    barrier = threading.Barrier(WORKERS)
    errors = []

    def runner(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_sixteen_kiosks_and_counters_never_share_a_number_or_a_ticket():
    mall, service, counters, officers = small_mall()
    calls: dict[int, list[int]] = {i: [] for i in range(WORKERS)}

    def kiosk_and_counter(index):
        mall_row, service_row = Mall.objects.get(pk=mall.pk), Service.objects.get(pk=service.pk)
        counter = Counter.objects.select_related("mall").get(pk=counters[index].pk)
        officer = User.objects.select_related("posting").get(pk=officers[index].pk)
        for _ in range(TICKETS_PER_WORKER):
            q.ticket_issue(mall=mall_row, service=service_row)
            ticket = q.call_next(counter=counter, officer=officer)
            if ticket is not None:
                calls[index].append(ticket.pk)
                q.ticket_no_show(ticket=ticket, officer=officer)

    run_in_parallel(kiosk_and_counter)

    numbers = list(Ticket.objects.values_list("local_date", "prefix", "number"))
    assert len(numbers) == WORKERS * TICKETS_PER_WORKER
    assert len(set(numbers)) == len(numbers)
    assert sorted(n for _, _, n in numbers) == list(range(1, len(numbers) + 1))
    called = [pk for pks in calls.values() for pk in pks]
    duplicates = [pk for pk, n in Tally(called).items() if n > 1]
    assert not duplicates
    # Whatever was not called by its issuer's counter is still waiting, exactly once.
    waiting = Ticket.objects.filter(status=TicketStatus.WAITING).count()
    assert len(called) + waiting == len(numbers)
    rollup = DailyRollup.objects.get()
    assert (rollup.issued, rollup.called, rollup.no_shows) == (
        len(numbers),
        len(called),
        len(called),
    )


def test_a_booking_check_in_does_not_lock_its_service_row():
    """The load generator found a deadlock: a booking check-in locked the booking *and its
    joined service* (FOR UPDATE), then waited for the ticket number a walk-in issue of that
    service held, while the walk-in's ticket insert waited on the service row (its
    foreign-key check). The check-in must lock the booking only: another transaction can
    still take the service row's foreign-key lock while the check-in holds its locks."""
    from datetime import timedelta

    import psycopg
    from django.db import transaction
    from django.utils import timezone

    from mpp.core.nik import nik_hash, nik_mask
    from mpp.visits.models import Booking
    from mpp.visits.services.bookings import _booking_code, _booking_to_check_in
    from tests.processes import database_url

    mall, service, _counters, _officers = small_mall()
    starts = timezone.now() + timedelta(minutes=10)
    booking = Booking.objects.create(
        code=_booking_code(),
        mall=mall,
        service=service,
        date=mall.local_now().date(),
        slot_start=starts.astimezone(mall.tz).time().replace(second=0, microsecond=0),
        starts_at=starts,
        nik_hash=nik_hash("3171010101900001"),
        nik_masked=nik_mask("3171010101900001"),
        phone="081200000000",
        messages_off=True,
    )
    with transaction.atomic():
        assert _booking_to_check_in(mall, booking.code, timezone.now()) == booking
        with psycopg.connect(database_url(), autocommit=True) as other:
            # What a ticket insert's foreign-key check takes; NOWAIT: refused if locked.
            other.execute(
                "SELECT 1 FROM registry_service WHERE id = %s FOR KEY SHARE NOWAIT", [service.pk]
            )
            with pytest.raises(psycopg.errors.LockNotAvailable):  # the booking row is locked
                other.execute(
                    "SELECT 1 FROM visits_booking WHERE id = %s FOR UPDATE NOWAIT", [booking.pk]
                )


def test_sixteen_taps_of_four_forms_at_once_issue_four_tickets():
    """Double (quadruple) taps arriving together: each form's claim is written first in the
    ticket's transaction, so the later taps wait for the first and answer its ticket."""
    mall, service, _counters, _officers = small_mall()
    answers: dict[int, tuple] = {}

    def tap(index):
        mall_row, service_row = Mall.objects.get(pk=mall.pk), Service.objects.get(pk=service.pk)
        token = f"form:{index % 4}"
        ticket, replayed = q.ticket_issue_once(token=token, mall=mall_row, service=service_row)
        answers[index] = (token, ticket.pk, replayed)

    run_in_parallel(tap)

    assert Ticket.objects.count() == 4
    by_form: dict[str, set[int]] = {}
    for token, pk, _ in answers.values():
        by_form.setdefault(token, set()).add(pk)
    assert len(by_form) == 4 and all(len(pks) == 1 for pks in by_form.values())
    assert sum(not replayed for _, _, replayed in answers.values()) == 4
    assert DailyRollup.objects.get().issued == 4


def test_sixteen_kiosks_at_once_never_pass_the_daily_cap():
    """The cap's last places taken by sixteen kiosks together: the rollup row's lock makes
    them count one after another, so exactly the cap is issued and the rest are refused."""
    mall, service, _counters, _officers = small_mall()
    service.daily_ticket_cap = 5
    service.save()
    outcomes: list[str] = []

    def tap(_index):
        mall_row, service_row = Mall.objects.get(pk=mall.pk), Service.objects.get(pk=service.pk)
        try:
            q.ticket_issue(mall=mall_row, service=service_row)
            outcomes.append("issued")
        except q.QueueError as refused:
            outcomes.append(refused.code)

    run_in_parallel(tap)

    assert Tally(outcomes) == {"issued": 5, "daily_cap": WORKERS - 5}
    assert Ticket.objects.count() == 5
    assert sorted(Ticket.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert DailyRollup.objects.get().issued == 5
