"""Messages a citizen relies on, through the outbox: a booking's confirmation and its reminder
before the slot, "you are being called now" for a follower; each with its opt-out."""

from datetime import time, timedelta

from django.urls import reverse

from mpp.visits import services as q
from mpp.visits.models import Notification

from .conftest import MONDAY, at

TUESDAY = MONDAY + timedelta(days=1)


def book(queue, *, messages=True, nik="6202011708900001"):
    return q.booking_create(
        service=queue.ktp,
        day=TUESDAY,
        slot_start=time(10),
        nik=nik,
        phone="081234567890",
        messages=messages,
        now=at(MONDAY, 9),
    )


def test_a_booking_is_confirmed_at_once_and_reminded_an_hour_before_its_slot(queue, settings):
    settings.BOOKING_REMINDER_MINUTES = 60
    booking = book(queue)
    confirmation, reminder = Notification.objects.filter(booking=booking).order_by("send_after")
    assert booking.code in confirmation.body and "dikonfirmasi" in confirmation.body
    assert "Selasa 24 November 2026, 10:00" in confirmation.body
    assert reminder.send_after == at(TUESDAY, 9)
    assert booking.code in reminder.body and confirmation.address == "081234567890"


def test_a_booking_made_without_sms_queues_nothing(queue):
    book(queue, messages=False)
    assert not Notification.objects.exists()


def test_stopping_sms_on_the_booking_page_withdraws_the_reminder(client, queue):
    booking = book(queue)
    Notification.objects.filter(booking=booking, send_after__lte=at(MONDAY, 9, 1)).update(
        status="sent"
    )
    page = client.get(reverse("visits:booking_detail", args=[booking.uuid])).content.decode()
    assert 'name="messages_off"' in page
    client.post(reverse("visits:booking_detail", args=[booking.uuid]), {"messages_off": "1"})
    booking.refresh_from_db()
    assert booking.messages_off
    assert list(Notification.objects.values_list("status", flat=True)) == ["sent"]


def test_checking_in_withdraws_the_messages_not_sent_yet(queue, settings):
    settings.BOOKING_REMINDER_MINUTES = 30
    booking = book(queue)
    Notification.objects.filter(booking=booking, send_after__lte=at(MONDAY, 9, 1)).update(
        status="sent"
    )
    q.booking_check_in(mall=queue.mall, code=booking.code, now=at(TUESDAY, 9))
    assert list(Notification.objects.values_list("status", flat=True)) == ["sent"]


def test_a_follower_is_told_when_called_and_may_stop_the_messages(client, queue):
    q.ticket_issue(mall=queue.mall, service=queue.skck)
    second = q.ticket_issue(mall=queue.mall, service=queue.skck)
    q.ticket_follow(ticket=second, when_ahead=1, channel="sms", address="081234567891")
    q.counter_open(counter=queue.counter3, officer=queue.citra)
    q.call_next(counter=queue.counter3, officer=queue.citra)
    near = Notification.objects.get(ticket=second)
    assert "giliran" in near.body.lower() or "ahead" in near.body
    # the follower stops the messages on their ticket page: nothing more, pending ones dropped
    client.post(reverse("visits:ticket_status", args=[second.uuid]), {"unfollow": "1"})
    second.refresh_from_db()
    assert second.notify_address == "" and not Notification.objects.filter(ticket=second).exists()


def test_a_follower_called_now_gets_a_message_naming_the_counter(queue):
    ticket = q.ticket_issue(mall=queue.mall, service=queue.skck)
    q.ticket_follow(ticket=ticket, when_ahead=1, channel="sms", address="081234567891")
    Notification.objects.all().delete()  # the "near" message (nobody ahead)
    q.counter_open(counter=queue.counter3, officer=queue.citra)
    q.call_next(counter=queue.counter3, officer=queue.citra)
    called = Notification.objects.get(ticket=ticket)
    assert ticket.display_number in called.body and "loket 3" in called.body.lower()
