"""A small mall for service-quality tests: Sampit with Dukcapil and Polri, three services,
two counters, opening hours Monday–Saturday 08:00–15:00 and one officer each."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from conftest import at, make_user, sampit_services
from mpp.accounts.models import Role
from mpp.registry.models import Counter, OfficerPosting
from mpp.visits import services as queue

SAMPIT = ZoneInfo("Asia/Pontianak")


@pytest.fixture
def quality(mall_sampit, standard_fields):
    dukcapil, polri, ktp, kk, skck = sampit_services(mall_sampit, standard_fields)
    counter1 = Counter.objects.create(mall=mall_sampit, number="1", agency=dukcapil)
    counter1.services.set([ktp, kk])
    counter2 = Counter.objects.create(mall=mall_sampit, number="2", agency=polri)
    counter2.services.set([skck])
    ani = make_user("ani", Role.COUNTER_OFFICER)
    OfficerPosting.objects.create(officer=ani, mall=mall_sampit, agency=dukcapil)
    citra = make_user("citra", Role.COUNTER_OFFICER)
    OfficerPosting.objects.create(officer=citra, mall=mall_sampit, agency=polri)

    class Q:
        mall = mall_sampit

    Q.ktp, Q.kk, Q.skck = ktp, kk, skck
    Q.counter1, Q.counter2 = counter1, counter2
    Q.ani, Q.citra = ani, citra
    return Q


def serve(q, *, day: date = date(2026, 11, 23), start_hour: int = 9, minutes: int = 10):
    """Issue a KTP ticket and serve it at counter 1; returns the finished ticket."""
    ticket = queue.ticket_issue(mall=q.mall, service=q.ktp, now=at(day, start_hour))
    queue.counter_open(counter=q.counter1, officer=q.ani, now=at(day, start_hour))
    called = queue.call_next(counter=q.counter1, officer=q.ani, now=at(day, start_hour, 1))
    assert called.pk == ticket.pk
    queue.ticket_start(ticket=called, officer=q.ani, now=at(day, start_hour, 2))
    return queue.ticket_finish(
        ticket=called, officer=q.ani, outcome="completed", now=at(day, start_hour, 2 + minutes)
    )


GOOD = {f"u{i}": 4 for i in range(1, 10)}
