"""Citizens' fixtures: a registered citizen, two agencies' services at the Jakarta mall, a
second officer, the fake SMS gateway, and John Simm for the face tests (the face fixtures
shared with visits are in the root conftest)."""

from datetime import date

import pytest

from conftest import make_user
from mpp.accounts.models import Role
from mpp.core.messaging import FakeBackend
from mpp.registry.models import Agency, OfficerPosting, Service, Tenancy
from mpp.registry.services import standard_publish

from ..access import citizen_data_read
from ..models import AccessRecord, Purpose
from ..services import citizen_create
from ..services import faces as face_services
from .face_photos import NIK_JOHN

# Women's NIKs add 40 to the day: 5 May 1990 → 450590.
NIK_SITI = "3171014505900001"
NIK_BUDI = "3171011203850002"


@pytest.fixture(autouse=True)
def _fake_sms(settings, tmp_path):
    settings.MESSAGING_BACKEND = "mpp.core.messaging.FakeBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    FakeBackend.outbox = []
    FakeBackend.fail_next = 0


@pytest.fixture
def sms_outbox():
    return FakeBackend.outbox


@pytest.fixture
def citizen_user(db):
    return make_user("siti", Role.CITIZEN)


@pytest.fixture
def siti(citizen_user, mall_jakarta):
    return citizen_create(
        nik=NIK_SITI,
        full_name="Siti Nurhaliza",
        birth_date=date(1990, 5, 5),
        phone="081234567890",
        user=citizen_user,
    )


@pytest.fixture
def officer_dukcapil_jakarta(mall_jakarta):
    user = make_user("officer_dukcapil", Role.COUNTER_OFFICER)
    OfficerPosting.objects.create(
        officer=user, mall=mall_jakarta, agency=Agency.objects.get(code="dukcapil")
    )
    return user


def _service(mall, agency_code, slug, fields, requirements, value=3, unit="working_days"):
    agency = Agency.objects.get(code=agency_code)
    Tenancy.objects.get_or_create(mall=mall, agency=agency)
    service = Service.objects.create(mall=mall, agency=agency, slug=slug, name=slug.upper())
    standard_publish(
        service=service,
        **fields
        | {
            "requirements": requirements,
            "completion_time_value": value,
            "completion_time_unit": unit,
        },
    )
    return service


@pytest.fixture
def bpjs_service(mall_jakarta, standard_fields):
    return _service(
        mall_jakarta, "bpjs-kesehatan", "bpjs-daftar", standard_fields, ["KTP-el", "KK"]
    )


@pytest.fixture
def djp_service(mall_jakarta, standard_fields):
    return _service(mall_jakarta, "djp", "npwp", standard_fields, ["KTP-el", "Alamat e-mail aktif"])


@pytest.fixture
def make_service(mall_jakarta, standard_fields):
    def make(agency_code, slug, requirements, value=3, unit="working_days"):
        return _service(mall_jakarta, agency_code, slug, standard_fields, requirements, value, unit)

    return make


def scan_pdf(title: str = "KTP scan") -> bytes:
    """A real one-page PDF (uploads are checked by parsing, not by their first bytes)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scan_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def five_reads(siti):
    """Five reads of Siti's data: an access log to verify and to tamper with."""
    for _ in range(5):
        citizen_data_read(citizen=siti, actor=siti.user, purpose=Purpose.SELF, fields=["sex"])
    return AccessRecord.objects.order_by("seq")


@pytest.fixture
def john(mall_jakarta):
    """John Simm, registered at Jakarta, no face yet."""
    return citizen_create(
        nik=NIK_JOHN,
        full_name="John Simm",
        birth_date=date(1980, 1, 1),
        phone="081234567891",
        mall=mall_jakarta,
    )


@pytest.fixture
def enrolled_john(john, biometric_consent, simm_template, mall_jakarta):
    consent = biometric_consent(john)
    face_services.face_template_store(
        citizen=john,
        template=simm_template.template,
        consent=consent,
        by=None,
        mall=mall_jakarta,
        frames_used=simm_template.frames_used,
    )
    return john
