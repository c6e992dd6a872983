from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from conftest import at
from mpp.registry.models import Mall

from ..mailing import delivery_claim, due_week, reminders_send, weekly_reports_send
from ..models import DeliveryStatus, ReminderSent, ReportDelivery, ReportSubscription
from ..weeks import IsoWeek

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return at(day, hour, minute, zone="Asia/Jakarta")  # the Monday mail goes out in WIB


@pytest.fixture
def subscriber(ministry_analyst):
    return ReportSubscription.objects.create(
        user=ministry_analyst, created_at=wib(date(2025, 6, 2), 9)
    )


def test_the_report_is_due_at_monday_eight_in_jakarta():
    assert due_week(wib(date(2025, 6, 9), 7, 59)) == IsoWeek(2025, 22)
    assert due_week(wib(date(2025, 6, 9), 8, 0)) == IsoWeek(2025, 23)


def test_the_monday_loop_sends_once_per_subscriber_and_week(subscriber):
    assert (
        weekly_reports_send(now=wib(date(2025, 6, 9), 7, 0)) == 0
    )  # nothing due yet since subscribing
    assert weekly_reports_send(now=wib(date(2025, 6, 9), 8, 1)) == 1
    assert weekly_reports_send(now=wib(date(2025, 6, 9), 8, 2)) == 0
    assert weekly_reports_send(now=wib(date(2025, 6, 10), 9, 0)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "2025-W23" in message.subject and message.to == ["analyst@example.org"]
    name, content, mimetype = message.attachments[0]
    assert name.endswith("2025-W23.pdf") and content.startswith(b"%PDF")
    assert ReportDelivery.objects.get().status == DeliveryStatus.SENT


def test_weeks_missed_while_down_are_caught_up_in_order(subscriber):
    assert weekly_reports_send(now=wib(date(2025, 6, 24), 10, 0)) == 3
    assert [m.subject[-8:] for m in mail.outbox] == ["2025-W23", "2025-W24", "2025-W25"]


def test_a_claimed_week_cannot_be_claimed_twice(subscriber):
    assert delivery_claim(subscription=subscriber, week=IsoWeek(2025, 23)) is not None
    assert delivery_claim(subscription=subscriber, week=IsoWeek(2025, 23)) is None


def test_a_failed_send_is_retried_on_the_next_pass(subscriber, monkeypatch):
    def broken(self, fail_silently=False):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    assert weekly_reports_send(now=wib(date(2025, 6, 9), 8, 1)) == 0
    assert ReportDelivery.objects.get().status == DeliveryStatus.FAILED
    monkeypatch.undo()
    assert weekly_reports_send(now=wib(date(2025, 6, 9), 8, 5)) == 1
    assert ReportDelivery.objects.get().attempts == 2


def test_the_command_runs_one_pass(subscriber):
    with time_machine.travel(wib(date(2025, 6, 9), 9, 0), tick=False):
        call_command("send_weekly_reports", "--no-reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1


def test_malls_without_data_are_reminded_once(mall_manager_sampit):
    Mall.objects.exclude(code="mpp-6202").update(email="")
    assert reminders_send(week=IsoWeek(2025, 23)) == 1
    assert reminders_send(week=IsoWeek(2025, 23)) == 0
    assert mail.outbox[0].to == ["manager_sampit@example.org"]
    assert ReminderSent.objects.count() == 1


def test_the_monday_mail_carries_the_headline_numbers_and_the_links(subscriber):
    from .conftest import service_for, visits

    jakarta = Mall.objects.get(code="mpp-31")
    visits(service_for(jakarta), date(2025, 6, 3), 37)
    from mpp.visits.rollups import rollups_rebuild

    rollups_rebuild()
    weekly_reports_send(now=wib(date(2025, 6, 9), 8, 1))
    body = mail.outbox[0].body
    assert "2025-W23" in body
    assert "37" in body  # the national visits
    assert jakarta.name in body  # the highest mall, named
    assert "/monitoring/weeks/2025-W23/" in body
    assert "/monitoring/weeks/2025-W23/report.xlsx" in body
    assert "/monitoring/open-data/2025-W23.csv" in body and "CC BY 4.0" in body
