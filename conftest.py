"""Shared fixtures: the reference data (loaded once per test database) and named personas."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from mpp.accounts.models import Role, User
from mpp.registry.models import Agency, Mall, OfficerPosting


def at(day: date, hour: int = 0, minute: int = 0, *, zone: str = "Asia/Pontianak") -> datetime:
    """A local clock time in a mall's zone (Sampit's, UTC+7, unless `zone`): tests that
    freeze or pass time read as the mall's own hours. The one `at` of the suite."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


def load_reference_data():
    """Regions (without villages, which only the region tests need), agencies and malls."""
    call_command("load_reference_data", skip_villages=True, verbosity=0, stdout=_Quiet())


class _Quiet:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def mall_sampit(db) -> Mall:
    return Mall.objects.get(code="mpp-6202")


@pytest.fixture
def mall_jakarta(db) -> Mall:
    return Mall.objects.get(code="mpp-31")


@pytest.fixture
def mall_makassar(db) -> Mall:
    return Mall.objects.get(code="mpp-7371")


def sampit_services(mall: Mall, standard_fields: dict):
    """Dukcapil and Polri in the mall with KTP-el, Kartu Keluarga and SKCK, each with a
    published standard of 30 minutes, and opening hours Monday–Saturday 08:00–15:00: the
    small mall the queue and the quality tests share. Returns (dukcapil, polri, ktp, kk, skck)."""
    from mpp.registry.models import OpeningHours, Service, Tenancy
    from mpp.registry.services import standard_publish

    dukcapil = Agency.objects.get(code="dukcapil")
    polri = Agency.objects.get(code="polri-skck")
    for agency in (dukcapil, polri):
        Tenancy.objects.get_or_create(mall=mall, agency=agency)
    services = [
        Service.objects.create(mall=mall, agency=agency, name=name, slug=slug, ticket_prefix=prefix)
        for agency, name, slug, prefix in [
            (dukcapil, "KTP-el", "ktp-el", "A"),
            (dukcapil, "Kartu Keluarga", "kk", "K"),
            (polri, "SKCK", "skck", "S"),
        ]
    ]
    for service in services:
        standard_publish(service=service, **(standard_fields | {"completion_time_value": 30}))
    for weekday in range(6):
        OpeningHours.objects.create(
            mall=mall, weekday=weekday, opens_at=time(8), closes_at=time(15)
        )
    return (dukcapil, polri, *services)


def make_user(username: str, role: str, **extra) -> User:
    return User.objects.create_user(
        username=username,
        password="s3cret-pass-123",
        role=role,
        email=f"{username}@example.org",
        **extra,
    )


@pytest.fixture
def ministry_analyst(db) -> User:
    return make_user("analyst", Role.MINISTRY_ANALYST)


@pytest.fixture
def mall_manager_sampit(mall_sampit) -> User:
    user = make_user("manager_sampit", Role.MALL_MANAGER)
    mall_sampit.managers.add(user)
    return user


@pytest.fixture
def mall_manager_jakarta(mall_jakarta) -> User:
    user = make_user("manager_jakarta", Role.MALL_MANAGER)
    mall_jakarta.managers.add(user)
    return user


@pytest.fixture
def officer_jakarta(mall_jakarta) -> User:
    user = make_user("officer_jakarta", Role.COUNTER_OFFICER)
    OfficerPosting.objects.create(
        officer=user, mall=mall_jakarta, agency=Agency.objects.get(code="bpjs-kesehatan")
    )
    return user


@pytest.fixture
def citizen(db) -> User:
    return make_user("citizen", Role.CITIZEN)


@pytest.fixture
def standard_fields() -> dict:
    """A complete, valid set of the 14 components."""
    return {
        "effective_from": date(2025, 1, 1),
        "requirements": ["KTP-el", "Kartu Keluarga"],
        "procedure": ["Ambil antrean", "Verifikasi", "Cetak"],
        "completion_time_value": 60,
        "completion_time_unit": "minutes",
        "fee_amount": 0,
        "fee_note": "Gratis",
        "product": "KTP-el",
        "complaint_channel": "SP4N-LAPOR!",
        "legal_basis": "UU 24/2013",
        "facilities": "Ruang tunggu",
        "staff_competence": "Terlatih",
        "internal_supervision": "Atasan langsung",
        "staff_count": 2,
        "service_guarantee": "Sesuai standar",
        "safety_guarantee": "Data dijaga",
        "performance_evaluation": "SKM tiap semester",
    }


@pytest.fixture(autouse=True)
def _second_factor_relaxed(request, settings):
    """Tests that are not about sign-in log staff in with force_login: they run with the
    second factor, the staff session limits and context-bound reads off. Tests marked
    `security` keep the production rules (MFA for staff, 30-minute idle, 12-hour lifetime,
    officers read only while serving the citizen)."""
    if request.node.get_closest_marker("security"):
        return
    settings.MFA_REQUIRED_ROLES = []
    settings.MFA_REQUIRED_FOR_ADMIN_STAFF = False
    settings.STAFF_SESSION_IDLE_MINUTES = 0
    settings.STAFF_SESSION_MAX_HOURS = 0
    settings.CITIZENS_READS_NEED_CONTEXT = False  # consent tests; context: test_context.py


# --- faces: shared by the citizens and visits face tests (photographs and bursts in
# mpp/citizens/tests/face_photos.py; imported here so that a run without face tests does
# not load them).


@pytest.fixture(scope="session")
def simm_template():
    """John Simm's template, computed once per test session."""
    from mpp import biometrics as bio
    from mpp.citizens.tests.face_photos import ENROL, frames_of

    enrolment = bio.template_enrol(frames_of(*ENROL))
    assert enrolment.ok
    return enrolment


@pytest.fixture
def face_key(settings):
    """A fixed key for the face templates (modules of face tests use it)."""
    from mpp.citizens.tests.face_photos import KEY

    settings.FACE_TEMPLATE_KEY = KEY


@pytest.fixture
def biometric_consent():
    """`grant(citizen, agency_code="dukcapil")`: the citizen's recorded biometric consent."""
    from mpp.citizens.models import Purpose
    from mpp.citizens.services import consent_grant
    from mpp.citizens.vocabulary import Category

    def grant(citizen, agency_code="dukcapil"):
        return consent_grant(
            citizen=citizen,
            agency=Agency.objects.get(code=agency_code),
            purpose=Purpose.BIOMETRIC,
            categories=[Category.BIOMETRIC],
            days=365,
            by=None,
        )

    return grant


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """The local-memory cache (device look-ups, board state, services) must not carry rows
    from one test's rolled-back database into the next; nor the shared cache (rate limits,
    a table in the test database) one test's counts into the next."""
    from django.core.cache import cache, caches

    cache.clear()
    if DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            caches["shared"].clear()
    yield
