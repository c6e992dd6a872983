"""Manager alerts: a service whose oldest waiting visitor is past the limit is shown on the
manager's day page with the suggestion to open a counter, and e-mailed once per episode."""

from django.urls import reverse

from mpp.visits import services as q
from mpp.visits.alerts import wait_alerts, wait_alerts_send
from mpp.visits.models import Notification

from .conftest import MONDAY, at


def test_a_wait_past_the_standard_alerts_the_managers_once_per_episode(
    client, queue, mall_manager_sampit
):
    # the queue fixture's standards allow 30 minutes
    waiting = q.ticket_issue(mall=queue.mall, service=queue.skck, now=at(MONDAY, 8))
    assert wait_alerts(queue.mall, at(MONDAY, 8, 29)) == []
    assert wait_alerts_send(at(MONDAY, 8, 29)) == 0
    [alert] = wait_alerts(queue.mall, at(MONDAY, 8, 31))
    assert alert.service == queue.skck and alert.waited_minutes == 31 and alert.limit_minutes == 30
    assert wait_alerts_send(at(MONDAY, 8, 31)) == 1
    assert wait_alerts_send(at(MONDAY, 8, 40)) == 0  # the same episode
    mail = Notification.objects.get()
    assert mail.channel == "email" and mail.address == mall_manager_sampit.email
    assert "SKCK" in mail.body and "loket" in mail.body
    # the visitor is called: the episode ends; a new long wait alerts again
    q.counter_open(counter=queue.counter3, officer=queue.citra)
    assert (
        q.call_next(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 45)) == waiting
    )
    assert wait_alerts_send(at(MONDAY, 8, 46)) == 0
    q.ticket_issue(mall=queue.mall, service=queue.skck, now=at(MONDAY, 9))
    assert wait_alerts_send(at(MONDAY, 9, 35)) == 1


def test_the_managers_day_page_suggests_opening_a_counter(client, queue, mall_manager_sampit):
    q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8))
    client.force_login(mall_manager_sampit)
    import time_machine

    with time_machine.travel(at(MONDAY, 9), tick=False):
        page = client.get(reverse("visits:queue_today", args=[queue.mall.code])).content.decode()
    assert 'data-testid="wait-alert"' in page and "KTP-el" in page
