"""A counter officer signs in with a password and a TOTP code in a real browser: the first
time they enrol an authenticator by its QR key, later they verify a fresh code."""

import re
from base64 import b32decode
from datetime import UTC, datetime

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.security]


def code_from_secret(secret: str) -> str:
    return f"{totp(b32decode(secret)):06d}"


def sign_in(page):
    page.goto("/accounts/login/?next=/queue/console/")
    page.get_by_label("Nama pengguna").fill("petugas.sampit")
    page.get_by_label("Sandi").fill("mpp-demo-2026")
    page.get_by_role("button", name="Masuk").click()


def test_an_officer_enrols_then_signs_in_with_a_totp_code(page, demo_data, time_machine):
    time_machine.move_to(datetime.now(tz=UTC))  # real time, ticking; shifted below
    sign_in(page)
    expect(page.get_by_role("heading", name="Atur masuk dua langkah")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Kode").fill(code_from_secret(secret))
    page.get_by_role("button", name="Konfirmasi").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Sudah saya simpan").click()
    expect(page).to_have_url(re.compile("/queue/console/"))

    page.get_by_role("button", name=re.compile("^Keluar")).first.click()
    time_machine.shift(31)  # the next 30-second code (the last one is spent)
    sign_in(page)
    expect(page.get_by_role("heading", name="Verifikasi dua langkah")).to_be_visible()
    page.get_by_label("Kode").fill("000000" if code_from_secret(secret) != "000000" else "111111")
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.get_by_text("Kode salah atau sudah kedaluwarsa.")).to_be_visible()
    time_machine.shift(2)  # past the pause after a wrong code
    page.get_by_label("Kode").fill(code_from_secret(secret))
    page.get_by_role("button", name="Verifikasi").click()
    expect(page).to_have_url(re.compile("/queue/console/"))
