"""A citizen registers with their NIK, applies for two services at two agencies (the
second asks nothing the first already asked), an officer reads the consented data, and the
citizen sees that read on "who saw my data"."""

import re

import pytest
from playwright.sync_api import expect

from mpp.accounts.models import User
from mpp.citizens.access import application_data_read
from mpp.citizens.models import Application, Purpose
from mpp.core.messaging import FakeBackend

from .conftest import screenshot

pytestmark = pytest.mark.browser

KTP_ANSWERS = {
    "Tempat lahir": "Jakarta",
    "Pekerjaan": "Pedagang",
    "Alamat jalan": "Jl. Kebon Sirih 1",
    "RT": "001",
    "RW": "002",
    "Kode desa/kelurahan": "31.71.01.1001",
    "Nomor kartu keluarga (KK)": "3171010101000001",
}
KTP_CHOICES = {"Agama": "islam", "Status perkawinan": "kawin", "Kewarganegaraan": "WNI"}


def field(page, label):
    """A form field by its exact label (Django adds a colon)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


@pytest.fixture
def fake_sms(settings):
    settings.MESSAGING_BACKEND = "mpp.core.messaging.FakeBackend"
    FakeBackend.outbox = []
    return FakeBackend.outbox


def test_a_citizen_registers_applies_twice_and_sees_who_read_their_data(page, demo_data, fake_sms):
    # Registration with NIK, name, birth date and phone; a code arrives by SMS.
    page.goto("/citizen/register/")
    page.get_by_label("NIK").fill("3171 0145 0590 0001")
    page.get_by_label("Nama lengkap").fill("Dewi Lestari")
    page.get_by_label("Tanggal lahir").fill("1990-05-05")
    page.get_by_label("Nomor ponsel").fill("0812 3456 7890")
    page.get_by_label("Nama pengguna").fill("dewi")
    field(page, "Sandi").fill("kopi-tubruk-2025")
    page.get_by_label(re.compile("Saya setuju data saya disimpan")).check()
    page.get_by_role("button", name="Kirim kode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Konfirmasi nomor ponsel")
    code = fake_sms[-1].body.split(":")[1].split()[0]
    page.get_by_label("Kode dari SMS").fill(code)
    page.get_by_role("button", name="Buat akun saya").click()

    # My data: the NIK is shown to its owner, in full; the sex comes from the NIK.
    expect(page.get_by_role("heading", level=1)).to_have_text("Data saya")
    expect(page.locator("[data-field=nik]")).to_have_text("3171014505900001")
    expect(page.locator("[data-field=sex]")).to_have_text("F")
    screenshot(page, "citizen-home")

    # First application (BPJS Kesehatan): the KTP and KK data are asked once.
    page.goto("/citizen/apply/mpp-31/")
    page.locator("button[data-service=pendaftaran-jkn]").click()
    expect(page.get_by_text("Dewi Lestari")).to_be_visible()  # pre-filled
    for label, value in KTP_ANSWERS.items():
        field(page, label).fill(value)
    for label, value in KTP_CHOICES.items():
        field(page, label).select_option(value)
    page.get_by_label(re.compile("Saya setuju instansi memproses")).check()
    screenshot(page, "citizen-application-1")
    page.get_by_role("button", name="Ajukan permohonan").click()
    expect(page.locator("p.status")).to_contain_text("Diajukan")
    expect(page.locator("p.status")).to_contain_text("Tenggat menurut standar pelayanan")

    # Second application, another agency (DJP): only the e-mail is new, nothing repeated.
    page.goto("/citizen/apply/mpp-31/")
    page.locator("button[data-service=npwp]").click()
    expect(page.locator(".asked-count")).to_have_text("1 data perlu diisi.")
    field(page, "Email").fill("dewi@example.org")
    page.get_by_label(re.compile("Saya setuju instansi memproses")).check()
    page.get_by_role("button", name="Ajukan permohonan").click()
    expect(page.locator("p.status")).to_contain_text("Diajukan")
    first, second = Application.objects.order_by("created_at")
    assert set(first.fields_asked) & set(second.fields_asked) == set()

    # The BPJS officer opens the first application: a consented read, logged.
    officer = User.objects.get(username="petugas.jakarta")
    data = application_data_read(application=first, actor=officer, purpose=Purpose.SERVICE_DELIVERY)
    assert data["family_card_number"] == "3171010101000001"

    # Who saw my data: the officer's read is there, with agency, mall and fields.
    page.get_by_role("link", name="Siapa melihat data saya").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("petugas.jakarta")
    expect(row).to_contain_text("BPJS Kesehatan")
    expect(row).to_contain_text("Memberikan layanan yang saya mohonkan")
    screenshot(page, "citizen-access-log")

    # Both applications are on the tracking list.
    page.get_by_role("link", name="Permohonan saya").click()
    expect(page.locator("tbody tr")).to_have_count(2)
