"""A small mall ready to queue: Sampit with Dukcapil and Polri, two services, three counters,
opening hours every weekday, and officers posted there, on Monday 09:00 Sampit time."""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import at as at  # re-exported: the one `at` of the suite
from conftest import make_user
from mpp.accounts.models import Role
from mpp.registry.models import Agency, Counter, OfficerPosting, OpeningHours, Service, Tenancy
from mpp.registry.services import standard_publish

SAMPIT = ZoneInfo("Asia/Pontianak")


MONDAY = date(2026, 11, 23)  # the queue tests' day, in Sampit's zone (see conftest.at)


@pytest.fixture
def queue(mall_sampit, standard_fields):
    dukcapil = Agency.objects.get(code="dukcapil")
    polri = Agency.objects.get(code="polri-skck")
    for agency in (dukcapil, polri):
        Tenancy.objects.get_or_create(mall=mall_sampit, agency=agency)
    ktp = Service.objects.create(
        mall=mall_sampit, agency=dukcapil, name="KTP-el", slug="ktp-el", ticket_prefix="A"
    )
    kk = Service.objects.create(
        mall=mall_sampit, agency=dukcapil, name="Kartu Keluarga", slug="kk", ticket_prefix="K"
    )
    skck = Service.objects.create(
        mall=mall_sampit, agency=polri, name="SKCK", slug="skck", ticket_prefix="S"
    )
    for service in (ktp, kk, skck):
        standard_publish(service=service, **(standard_fields | {"completion_time_value": 30}))
    counter1 = Counter.objects.create(mall=mall_sampit, number="1", agency=dukcapil)
    counter1.services.set([ktp, kk])
    counter2 = Counter.objects.create(mall=mall_sampit, number="2", agency=dukcapil)
    counter2.services.set([ktp, kk])
    counter3 = Counter.objects.create(mall=mall_sampit, number="3", agency=polri)
    counter3.services.set([skck])
    for weekday in range(6):
        OpeningHours.objects.create(
            mall=mall_sampit, weekday=weekday, opens_at=time(8), closes_at=time(15)
        )
    officers = []
    for name, agency in [("ani", dukcapil), ("budi", dukcapil), ("citra", polri)]:
        officer = make_user(name, Role.COUNTER_OFFICER)
        OfficerPosting.objects.create(officer=officer, mall=mall_sampit, agency=agency)
        officers.append(officer)

    class Q:
        mall = mall_sampit

    Q.ktp, Q.kk, Q.skck = ktp, kk, skck
    Q.counter1, Q.counter2, Q.counter3 = counter1, counter2, counter3
    Q.ani, Q.budi, Q.citra = officers
    # Tickets are issued only within opening hours: the queue tests run on a Monday morning
    # (the clock ticks on; a test may still travel or pass `now` itself).
    with time_machine.travel(at(MONDAY, 9), tick=True):
        yield Q
