"""Hours and closures: a service takes tickets only while its mall is open, less its last-ticket
cut-off, never on a closure day, up to a daily cap; in each of Indonesia's zones."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import at
from mpp.registry.models import Agency, Closure, Mall, OpeningHours, Service, Tenancy
from mpp.visits import services as q
from mpp.visits.devices import device_issue
from mpp.visits.models import (
    Booking,
    BookingStatus,
    Channel,
    DailyRollup,
    DeviceKind,
    Notification,
    Ticket,
)

from .conftest import MONDAY

# (mall code, zone): WIB Jakarta, WITA Makassar, WIT Jayapura, and Sampit's Asia/Pontianak.
MALLS = [
    ("mpp-31", "Asia/Jakarta"),
    ("mpp-7371", "Asia/Makassar"),
    ("mpp-9171", "Asia/Jayapura"),
    ("mpp-6202", "Asia/Pontianak"),
]


def open_weekdays(mall: Mall, opens=time(8), closes=time(16)) -> Service:
    """Weekdays 08:00-16:00 local; one Dukcapil service with a 30-minute last-ticket cut-off."""
    agency = Agency.objects.get(code="dukcapil")
    Tenancy.objects.get_or_create(mall=mall, agency=agency)
    for weekday in range(5):
        OpeningHours.objects.create(mall=mall, weekday=weekday, opens_at=opens, closes_at=closes)
    return Service.objects.create(
        mall=mall,
        agency=agency,
        name="KTP-el",
        slug="ktp-el-hours",
        ticket_prefix="A",
        last_ticket_minutes=30,
    )


def issue(service: Service, when):
    return q.ticket_issue(mall=service.mall, service=service, now=when)


def refusal(service: Service, when) -> q.QueueError:
    before = Ticket.objects.count()
    with pytest.raises(q.QueueError) as refused:
        issue(service, when)
    assert Ticket.objects.count() == before  # nothing half-written
    return refused.value


@pytest.mark.parametrize(("code", "zone"), MALLS)
def test_a_ticket_is_issued_only_inside_the_local_opening_hours(db, code, zone):
    service = open_weekdays(Mall.objects.get(code=code))
    assert refusal(service, at(MONDAY, 7, 59, zone=zone)).code == "before_opening"
    assert issue(service, at(MONDAY, 8, zone=zone)).display_number == "A-001"
    assert issue(service, at(MONDAY, 15, 29, zone=zone)).display_number == "A-002"
    after_cutoff = refusal(service, at(MONDAY, 15, 30, zone=zone))
    assert after_cutoff.code == "after_cutoff" and after_cutoff.field == "service"
    after_hours = refusal(service, at(MONDAY, 16, 10, zone=zone))
    assert after_hours.code == "after_closing"
    # the refusal says when the service takes tickets again, in the mall's own time
    assert after_hours.opens_next == at(MONDAY + timedelta(days=1), 8, zone=zone)
    assert "Selasa 24 November, 08:00" in after_hours.message
    assert refusal(service, at(MONDAY + timedelta(days=5), 10, zone=zone)).code == "closed_today"


@pytest.mark.parametrize(("code", "zone"), MALLS)
def test_no_ticket_on_a_closure_day_and_the_next_opening_skips_it(db, code, zone):
    service = open_weekdays(Mall.objects.get(code=code))
    Closure.objects.create(mall=service.mall, date=MONDAY, reason="Cuti bersama")
    Closure.objects.create(mall=service.mall, date=MONDAY + timedelta(days=1), reason="Banjir")
    refused = refusal(service, at(MONDAY, 10, zone=zone))
    assert refused.code == "closure_day"
    assert refused.opens_next == at(MONDAY + timedelta(days=2), 8, zone=zone)


def test_the_jayapura_kiosk_refuses_a_ticket_at_1710_and_says_when_it_opens(
    client, mall_manager_sampit
):
    jayapura = Mall.objects.get(code="mpp-9171")
    service = open_weekdays(jayapura)
    jayapura.managers.add(mall_manager_sampit)
    _, token = device_issue(
        mall=jayapura, kind=DeviceKind.KIOSK, name="Pintu", by=mall_manager_sampit
    )
    client.post(reverse("visits:device_activate"), {"token": token})
    with time_machine.travel(at(MONDAY, 17, 10, zone="Asia/Jayapura"), tick=False):
        services = client.get(
            reverse("visits:kiosk", args=[jayapura.code]), {"agency": service.agency_id}
        ).content.decode()
        assert 'aria-disabled="true"' in services and "Selasa 24 November, 08:00" in services
        page = client.post(
            reverse("visits:kiosk_issue", args=[jayapura.code]),
            {"service": service.pk, "issue_token": "t1"},
        )
    assert page.status_code == 400
    assert "Selasa 24 November, 08:00" in page.content.decode()
    assert not Ticket.objects.exists()


def test_the_api_answers_a_closed_service_with_a_code_and_the_next_opening(
    client, mall_manager_sampit, mall_sampit
):
    service = open_weekdays(mall_sampit)
    _, token = device_issue(
        mall=mall_sampit, kind=DeviceKind.KIOSK, name="API", by=mall_manager_sampit
    )
    with time_machine.travel(at(MONDAY, 6), tick=False):
        answer = client.post(
            reverse("api-queue-issue"),
            {"service": service.pk},
            HTTP_AUTHORIZATION=f"Device {token}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "before_opening" and body["field"] == "service"
    assert body["opens_next"] == at(MONDAY, 8).isoformat()
    assert "Monday 23 November, 08:00" in body["detail"]


def test_a_daily_cap_stops_walk_ins_but_not_a_transfer(queue, settings):
    settings.QUEUE_DAILY_TICKET_CAP = 2
    issue(queue.ktp, at(MONDAY, 9))
    issue(queue.ktp, at(MONDAY, 9, 1))
    assert refusal_code(queue.ktp, at(MONDAY, 9, 2)) == "daily_cap"
    queue.kk.daily_ticket_cap = 0  # the service's own setting wins: no cap
    queue.kk.save()
    for minute in range(3):
        issue(queue.kk, at(MONDAY, 9, 10 + minute))
    q.counter_open(counter=queue.counter3, officer=queue.citra)
    skck = issue(queue.skck, at(MONDAY, 9, 20))
    q.call_next(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 9, 21))
    moved = q.ticket_transfer(
        ticket=skck, to_service=queue.ktp, officer=queue.citra, now=at(MONDAY, 9, 22)
    )
    assert moved.service == queue.ktp


def test_the_daily_cap_counts_walk_ins_only_and_a_refusal_writes_nothing(queue, settings):
    """The rollup's count (bookings and transfers included) only bounds the walk-ins: two
    booked tickets do not use up a cap of 2, and the refused third walk-in leaves no ticket,
    no number used and the rollup as it was."""
    settings.QUEUE_DAILY_TICKET_CAP = 2
    for minute in range(2):
        q.ticket_issue(
            mall=queue.mall, service=queue.ktp, channel=Channel.BOOKING, now=at(MONDAY, 8, minute)
        )
    first = issue(queue.ktp, at(MONDAY, 9))
    issue(queue.ktp, at(MONDAY, 9, 1))
    rollup = DailyRollup.objects.get(service=queue.ktp, local_date=first.local_date)
    assert rollup.issued == 4
    refused = refusal(queue.ktp, at(MONDAY, 9, 2))
    assert refused.code == "daily_cap"
    rollup.refresh_from_db()
    assert rollup.issued == 4
    settings.QUEUE_DAILY_TICKET_CAP = 3
    assert issue(queue.ktp, at(MONDAY, 9, 3)).number == 5  # the refused one took no number


def refusal_code(service, when) -> str:
    with pytest.raises(q.QueueError) as refused:
        issue(service, when)
    return refused.value.code


def test_a_mall_without_hours_entered_is_not_held_to_hours(mall_makassar):
    agency = Agency.objects.get(code="dukcapil")
    Tenancy.objects.create(mall=mall_makassar, agency=agency)
    service = Service.objects.create(mall=mall_makassar, agency=agency, name="KTP", slug="ktp")
    assert issue(service, at(MONDAY, 23, zone="Asia/Makassar")).display_number == "D-001"


def test_a_transfer_after_the_last_ticket_still_goes_through(queue):
    queue.kk.last_ticket_minutes = 60
    queue.kk.save()
    ticket = issue(queue.ktp, at(MONDAY, 13, 50))
    q.counter_open(counter=queue.counter1, officer=queue.ani)
    q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 14, 10))
    assert refusal_code(queue.kk, at(MONDAY, 14, 15)) == "after_cutoff"
    moved = q.ticket_transfer(
        ticket=ticket, to_service=queue.kk, officer=queue.ani, now=at(MONDAY, 14, 15)
    )
    assert moved.display_number == "K-001"


def test_bookable_slots_end_at_the_last_ticket_and_a_later_slot_is_refused(queue, settings):
    settings.BOOKING_SLOT_MINUTES = 30
    queue.ktp.last_ticket_minutes = 60
    queue.ktp.save()
    slots = q.booking_slots(service=queue.ktp, day=MONDAY + timedelta(days=1))
    assert [s.start for s in slots][-1] == time(13, 30)  # closes 15:00, last ticket 14:00
    with pytest.raises(q.QueueError) as refused:
        q.booking_create(
            service=queue.ktp,
            day=MONDAY + timedelta(days=1),
            slot_start=time(14, 30),
            nik="6202011708900001",
            phone="081234567890",
            now=at(MONDAY, 9),
        )
    assert refused.value.code == "no_slot" and refused.value.field == "slot"


def test_a_closure_entered_later_cancels_that_days_bookings_and_tells_each_person(queue):
    tuesday = MONDAY + timedelta(days=1)
    booking = q.booking_create(
        service=queue.ktp,
        day=tuesday,
        slot_start=time(9),
        nik="6202011708900001",
        phone="081234567890",
        now=at(MONDAY, 9),
    )
    other_day = q.booking_create(
        service=queue.ktp,
        day=tuesday + timedelta(days=1),
        slot_start=time(9),
        nik="6202011708900002",
        phone="081234567891",
        now=at(MONDAY, 9),
    )
    Closure.objects.create(mall=queue.mall, date=tuesday, reason="Cuti bersama")
    booking.refresh_from_db()
    other_day.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert other_day.status == BookingStatus.ACTIVE
    sms = Notification.objects.get(booking=booking)  # its confirmation and reminder withdrawn
    assert sms.address == "081234567890" and booking.code in sms.body
    assert "Selasa 24 November 2026" in sms.body and "Cuti bersama" in sms.body
    assert q.booking_slots(service=queue.ktp, day=tuesday) == []


def test_a_booking_is_not_checked_in_on_a_closure_day(queue):
    booking = q.booking_create(
        service=queue.ktp,
        day=MONDAY,
        slot_start=time(10),
        nik="6202011708900001",
        phone="081234567890",
        now=at(MONDAY, 9),
    )
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.ACTIVE)  # kept by hand
    Closure.objects.create(mall=queue.mall, date=date(2026, 11, 30), reason="Not today")
    Closure.objects.filter(date=date(2026, 11, 30)).update(date=MONDAY)  # no signal: no cancel
    q.hours_forget(queue.mall.pk)
    with pytest.raises(q.QueueError) as refused:
        q.booking_check_in(mall=queue.mall, code=booking.code, now=at(MONDAY, 10))
    assert refused.value.code == "closure_day"


def test_the_booking_page_offers_the_next_day_with_free_times(client, queue):
    sunday = MONDAY + timedelta(days=6)
    page = client.get(
        reverse("visits:booking_new", args=[queue.mall.code]),
        {"service": queue.ktp.pk, "date": sunday.isoformat()},
    ).content.decode()
    assert "Tidak ada waktu tersedia pada hari ini." in page
    assert f"date={(sunday + timedelta(days=1)).isoformat()}" in page
