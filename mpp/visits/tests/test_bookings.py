from datetime import time, timedelta

import pytest

from mpp.visits import services as q
from mpp.visits.models import Booking, BookingStatus, Channel

from .conftest import MONDAY, at

NIK = "6202014501900001"


def book(queue, *, nik=NIK, slot=time(9), day=MONDAY, service=None, now=None):
    return q.booking_create(
        service=service or queue.ktp,
        day=day,
        slot_start=slot,
        nik=nik,
        phone="0812 3456 7890",
        now=now or at(MONDAY, 7),
    )


def test_slots_follow_opening_hours_counters_and_the_standard(queue, settings):
    settings.BOOKING_SLOT_MINUTES = 30
    settings.BOOKING_SHARE_PERCENT = 50
    slots = q.booking_slots(service=queue.ktp, day=MONDAY)
    assert [s.start for s in slots][:2] == [time(8), time(8, 30)] and len(slots) == 14
    # Two counters × (30 min ÷ 30 min per person) × 50% kept for bookings = 1 per slot.
    assert {s.capacity for s in slots} == {1}
    assert q.booking_slots(service=queue.ktp, day=MONDAY + timedelta(days=6)) == []  # Sunday


def test_a_booking_stores_only_a_masked_nik(queue):
    booking = book(queue)
    assert booking.nik_masked == "6202••••••••0001"
    assert NIK not in booking.nik_hash and len(booking.code) == 6
    assert booking.phone == "081234567890"


def test_a_full_slot_and_a_second_booking_are_refused(queue):
    book(queue)
    with pytest.raises(q.QueueError) as full:
        book(queue, nik="6202014501900002")
    assert full.value.code == "slot_full" and full.value.field == "slot"
    with pytest.raises(q.QueueError) as twice:
        book(queue, slot=time(10))
    assert twice.value.code == "duplicate_booking"
    book(queue, service=queue.skck, slot=time(10))  # another service the same day is fine
    assert Booking.objects.count() == 2


def test_bookings_are_rate_limited_per_nik(queue, settings):
    settings.BOOKINGS_PER_NIK_PER_DAY = 2
    book(queue, slot=time(9))
    book(queue, service=queue.skck, slot=time(9))
    with pytest.raises(q.QueueError) as limited:
        book(queue, service=queue.kk, slot=time(9))
    assert limited.value.code == "rate_limited"


def test_bad_input_names_the_field(queue):
    for kwargs, field in [
        ({"nik": "12345"}, "nik"),
        ({"slot": time(9, 10)}, "slot"),
        ({"day": MONDAY + timedelta(days=30)}, "date"),
    ]:
        with pytest.raises(q.QueueError) as refused:
            book(queue, **kwargs)
        assert refused.value.field == field
    assert not Booking.objects.exists()


def test_a_checked_in_booking_joins_at_its_slot_time_not_ahead_of_everyone(queue):
    booking = book(queue, slot=time(9))
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    early_walk_in = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 40))
    booked = q.booking_check_in(mall=queue.mall, code=booking.code.lower(), now=at(MONDAY, 8, 45))
    late_walk_in = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 9, 5))
    assert booked.channel == Channel.BOOKING and booked.queued_at == at(MONDAY, 9)
    order = []
    for minute in (10, 11, 12):
        ticket = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 9, minute))
        order.append(ticket.pk)
        q.ticket_no_show(ticket=ticket, officer=queue.ani, now=at(MONDAY, 9, minute))
    assert order == [early_walk_in.pk, booked.pk, late_walk_in.pk]
    with pytest.raises(q.QueueError) as used:
        q.booking_check_in(mall=queue.mall, code=booking.code, now=at(MONDAY, 9, 15))
    assert used.value.code == "booking_used"


def test_unused_bookings_are_released_after_the_grace_period(queue, settings):
    settings.BOOKING_GRACE_MINUTES = 15
    booking = book(queue, slot=time(9))
    assert q.bookings_release(now=at(MONDAY, 9, 14)) == 0
    assert q.bookings_release(now=at(MONDAY, 9, 16)) == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RELEASED
    with pytest.raises(q.QueueError) as late:
        q.booking_check_in(mall=queue.mall, code=booking.code, now=at(MONDAY, 9, 20))
    assert late.value.code == "booking_invalid"
    # The freed place can be booked again by someone else.
    assert q.booking_slots(service=queue.ktp, day=MONDAY)[2].remaining == 1


def test_a_late_check_in_releases_the_booking_for_good(queue, settings):
    # The refusal used to roll back its own release: the place stayed taken.
    settings.BOOKING_GRACE_MINUTES = 15
    booking = book(queue, slot=time(9))
    with pytest.raises(q.QueueError) as late:
        q.booking_check_in(mall=queue.mall, code=booking.code, now=at(MONDAY, 9, 16))
    assert late.value.code == "booking_expired"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RELEASED and booking.ticket is None
    assert q.booking_slots(service=queue.ktp, day=MONDAY)[2].remaining == 1
    with pytest.raises(q.QueueError) as again:
        q.booking_check_in(mall=queue.mall, code=booking.code, now=at(MONDAY, 9, 17))
    assert again.value.code == "booking_invalid"


def test_booking_attempts_are_limited_per_client(client, queue, settings):
    from django.core.cache import cache
    from django.urls import reverse

    cache.clear()
    settings.BOOKING_ATTEMPTS_PER_HOUR = 2
    url = reverse("api-queue-booking")
    body = {
        "service": queue.ktp.pk,
        "date": "2026-11-23",
        "slot": "09:00",
        "nik": "1",
        "phone": "x",
    }
    assert client.post(url, body).status_code == 400
    assert client.post(url, body).status_code == 400
    assert client.post(url, body).status_code == 429
