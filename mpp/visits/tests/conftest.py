"""A small mall ready to queue: Sampit with Dukcapil and Polri, two services, three counters,
opening hours every weekday, and officers posted there, on Monday 09:00 Sampit time; for the
face check-in tests, John Simm enrolled there and the fake SMS gateway."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import at as at  # re-exported: the one `at` of the suite
from conftest import make_user, sampit_services
from mpp.accounts.models import Role
from mpp.registry.models import Counter, OfficerPosting

SAMPIT = ZoneInfo("Asia/Pontianak")


MONDAY = date(2026, 11, 23)  # the queue tests' day, in Sampit's zone (see conftest.at)


@pytest.fixture
def queue(mall_sampit, standard_fields):
    dukcapil, polri, ktp, kk, skck = sampit_services(mall_sampit, standard_fields)
    counter1 = Counter.objects.create(mall=mall_sampit, number="1", agency=dukcapil)
    counter1.services.set([ktp, kk])
    counter2 = Counter.objects.create(mall=mall_sampit, number="2", agency=dukcapil)
    counter2.services.set([ktp, kk])
    counter3 = Counter.objects.create(mall=mall_sampit, number="3", agency=polri)
    counter3.services.set([skck])
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


JOHN_NIK = "6202010101800005"


@pytest.fixture
def face_settings(face_key, settings):
    """The face key fixed and SMS through the fake gateway (the second factor's code is read
    from its outbox)."""
    from mpp.core.messaging import FakeBackend

    settings.MESSAGING_BACKEND = "mpp.core.messaging.FakeBackend"
    FakeBackend.outbox = []


@pytest.fixture
def john(queue, simm_template, biometric_consent):
    """John Simm, registered and enrolled at Sampit with his biometric consent."""
    from mpp.citizens.services import citizen_create, faces

    citizen = citizen_create(
        nik=JOHN_NIK, full_name="John Simm", birth_date=date(1980, 1, 1), phone="081234567895"
    )
    faces.face_template_store(
        citizen=citizen,
        template=simm_template.template,
        consent=biometric_consent(citizen),
        by=None,
        mall=queue.mall,
        frames_used=3,
    )
    return citizen
