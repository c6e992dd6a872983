"""A kiosk that retries the API call after a lost answer (a timeout, a database restart)
sends the same Idempotency-Key and gets the ticket the first call issued, never a second."""

from django.urls import reverse

from mpp.visits.devices import device_issue
from mpp.visits.models import DeviceKind, Ticket


def issue(client, token, service, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Device {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        reverse("api-queue-issue"), {"service": service}, content_type="application/json", **headers
    )


def test_a_retried_issue_with_the_same_key_answers_the_same_ticket(
    client, queue, mall_manager_sampit
):
    _, token = device_issue(
        mall=queue.mall, kind=DeviceKind.KIOSK, name="K", by=mall_manager_sampit
    )
    first = issue(client, token, queue.ktp.pk, key="tap-1")
    again = issue(client, token, queue.ktp.pk, key="tap-1")
    other = issue(client, token, queue.ktp.pk, key="tap-2")
    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["uuid"] == first.json()["uuid"]
    assert other.status_code == 201 and other.json()["uuid"] != first.json()["uuid"]
    assert Ticket.objects.count() == 2
    assert issue(client, token, queue.ktp.pk).status_code == 201  # no key: a new ticket


def test_a_refused_issue_frees_its_key(client, queue, mall_manager_sampit):
    _, token = device_issue(
        mall=queue.mall, kind=DeviceKind.KIOSK, name="K", by=mall_manager_sampit
    )
    assert issue(client, token, 999999, key="tap-1").status_code == 400
    assert issue(client, token, queue.ktp.pk, key="tap-1").status_code == 201
