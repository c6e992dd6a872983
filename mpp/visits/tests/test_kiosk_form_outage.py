"""A kiosk form (or an API Idempotency-Key) after a failed attempt, the database gone
mid-request as in tests/faults/test_database_restart.py: the claim is written in the
ticket's own transaction, so the failed attempt holds nothing and the citizen's retry with
the same form issues exactly one ticket; a double tap still gives one."""

import re
from datetime import timedelta
from unittest import mock

from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mpp.visits import services as q
from mpp.visits.devices import device_issue
from mpp.visits.models import DeviceKind, IssueClaim, Ticket

from .test_issue_idempotency import issue as api_issue
from .test_pages_and_api import kiosk_client

OUTAGE = OperationalError("server closed the connection unexpectedly")


def lane_form(client, queue) -> dict:
    lane = client.get(reverse("visits:kiosk", args=[queue.mall.code]), {"service": queue.ktp.pk})
    token = re.search(r'name="issue_token" value="([0-9a-f]{32})"', lane.content.decode())[1]
    return {"service": queue.ktp.pk, "priority": "", "issue_token": token}


def database_gone_once():
    """The next ticket number cannot be read (the server went away inside the transaction,
    after the form was claimed); the calls after it work again, as after a restart."""
    from mpp.visits.services import tickets

    real, calls = tickets._next_number, []

    def next_number(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OUTAGE
        return real(**kwargs)

    return mock.patch.object(tickets, "_next_number", side_effect=next_number)


def test_a_retry_after_a_failed_attempt_issues_exactly_one_ticket(queue, mall_manager_sampit):
    client = Client(raise_request_exception=False)  # the visitor sees the 503 page
    kiosk_client(client, queue, mall_manager_sampit)
    form = lane_form(client, queue)
    issue = reverse("visits:kiosk_issue", args=[queue.mall.code])
    with database_gone_once():
        failed = client.post(issue, form)
        assert failed.status_code == 503
        assert Ticket.objects.count() == 0 and IssueClaim.objects.count() == 0
        retry, double_tap = client.post(issue, form), client.post(issue, form)
    ticket = Ticket.objects.get()
    assert retry.status_code == double_tap.status_code == 302
    assert retry.url == double_tap.url == reverse("visits:ticket_print", args=[ticket.uuid])


def test_a_form_of_another_mall_is_refused_not_answered_with_its_ticket(
    client, queue, mall_manager_sampit, mall_jakarta
):
    kiosk_client(client, queue, mall_manager_sampit)
    form = lane_form(client, queue)
    issue = reverse("visits:kiosk_issue", args=[queue.mall.code])
    assert client.post(issue, form).status_code == 302
    IssueClaim.objects.update(mall=mall_jakarta)  # as if the token had been issued there
    again = client.post(issue, form)
    assert again.status_code == 400 and Ticket.objects.count() == 1


def test_an_api_retry_with_the_same_key_after_a_failed_attempt_issues_once(
    queue, mall_manager_sampit
):
    _, token = device_issue(
        mall=queue.mall, kind=DeviceKind.KIOSK, name="K", by=mall_manager_sampit
    )
    client = Client(raise_request_exception=False)
    with database_gone_once():
        assert api_issue(client, token, queue.ktp.pk, key="tap-1").status_code == 503
        retry = api_issue(client, token, queue.ktp.pk, key="tap-1")
        again = api_issue(client, token, queue.ktp.pk, key="tap-1")
    assert retry.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert str(Ticket.objects.get().uuid) == retry.json()["uuid"] == again.json()["uuid"]


def test_claims_older_than_ten_minutes_are_pruned(queue):
    fresh, _ = q.ticket_issue_once(token="form:fresh", mall=queue.mall, service=queue.ktp)
    q.ticket_issue_once(token="form:old", mall=queue.mall, service=queue.ktp)
    IssueClaim.objects.filter(token="form:old").update(
        created_at=timezone.now() - timedelta(seconds=q.ISSUE_CLAIM_SECONDS + 1)
    )
    assert q.issue_claims_prune() == 1
    assert list(IssueClaim.objects.values_list("token", flat=True)) == ["form:fresh"]
    again, replayed = q.ticket_issue_once(token="form:fresh", mall=queue.mall, service=queue.ktp)
    assert replayed and again == fresh
