import re

import pytest
from playwright.sync_api import expect

from mpp.registry.models import Mall

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_newcomer_finds_a_mall_and_its_manager_updates_the_pledge(page, demo_data):
    # A newcomer opens the directory (in Indonesian) and searches for their regency.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mal Pelayanan Publik")
    page.get_by_label("Cari").fill("Kotawaringin Timur")
    page.get_by_role("button", name="Tampilkan").click()
    screenshot(page, "directory")
    page.get_by_role("link", name="Mal Pelayanan Publik Kabupaten Kotawaringin Timur").click()

    # The mall page shows its agencies, services, hours and pledge, in its own zone.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mal Pelayanan Publik Kabupaten Kotawaringin Timur"
    )
    expect(page.get_by_text("Asia/Pontianak").first).to_be_visible()
    expect(page.get_by_role("link", name="Perekaman dan pencetakan KTP-el")).to_be_visible()
    screenshot(page, "mall")

    # A service page shows the public components of the standard.
    page.get_by_role("link", name="Perekaman dan pencetakan KTP-el").click()
    expect(page.get_by_text("Kartu Keluarga (KK)")).to_be_visible()
    expect(page.get_by_text("Gratis").first).to_be_visible()
    page.go_back()

    # The manager logs in and publishes a new pledge.
    page.get_by_role("link", name="Masuk").click()
    page.get_by_label("Nama pengguna").fill("manajer.sampit")
    page.get_by_label("Sandi").fill("mpp-demo-2026")
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/manage/mpp-6202/$"))
    page.get_by_role("link", name="Terbitkan maklumat baru").click()
    new_text = "Kami sanggup melayani setiap warga dengan ramah, cepat dan tanpa pungutan liar."
    page.get_by_label("Isi maklumat").fill(new_text)
    page.get_by_label("Ditandatangani oleh").fill("H. Halikinnor")
    page.get_by_label("Tanggal tanda tangan").fill("2026-11-01")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#pledge blockquote")).to_have_text(new_text)
    screenshot(page, "console")

    # The public page now carries the new pledge.
    page.get_by_role("link", name="Halaman publik").click()
    expect(page.locator("#pledge")).to_have_text(new_text)
    assert Mall.objects.get(code="mpp-6202").current_pledge().version == 2


def test_a_visitor_switches_to_english_and_to_high_contrast(page, demo_data):
    page.goto("/malls/mpp-31/")
    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", name="Opening hours")).to_be_visible()
    page.get_by_role("button", name="High contrast").click()
    expect(page.locator("html")).to_have_class(re.compile("contrast"))
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile("contrast"))
    screenshot(page, "mall-english-contrast")
