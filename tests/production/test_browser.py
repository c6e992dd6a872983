"""Chromium over the production deploy: a ticket goes kiosk → console → board, and the
analyst's dashboard draws its charts from the hashed, compressed static files."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mpp.monitoring.weeks import IsoWeek

from .conftest import BASE, DEMO_PASSWORD, production_only, recovery_code

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, production_only]


@pytest.fixture(scope="module")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def open_page():
        # The test machine's certificate is self-signed; everything else is production.
        context = browser.new_context(
            base_url=BASE,
            locale="id-ID",
            ignore_https_errors=True,
            viewport={"width": 1280, "height": 900},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


def browser_login(page, username: str, next_url: str) -> None:
    """Staff sign in through here: the password, then the second factor when asked."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/two-factor/" in page.url:
        page.locator("input[name=token]").fill(recovery_code(username))
        page.locator("input[name=token]").press("Enter")
        page.wait_for_url(lambda url: "/two-factor/" not in url)


def activate(page, token: str) -> None:
    page.goto("/queue/device/")
    page.get_by_label("Token perangkat").fill(token)
    page.get_by_role("button", name="Aktifkan").click()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"production-{name}.png"), full_page=True)


def test_a_ticket_goes_from_kiosk_to_console_to_board(new_page, device_tokens):
    kiosk = new_page()
    activate(kiosk, device_tokens["kiosk"])
    expect(kiosk.get_by_role("heading", name="Ambil nomor antrean")).to_be_visible()
    kiosk.get_by_role("link", name=re.compile("^Dukcapil")).click()
    kiosk.get_by_role("link", name="Perekaman dan pencetakan KTP-el").click()
    kiosk.get_by_role("button", name="Antrean reguler").click()
    number = kiosk.get_by_test_id("ticket-number").inner_text()
    assert re.fullmatch(r"[A-Z]+-\d{3}", number)
    screenshot(kiosk, "kiosk")

    board = new_page()
    activate(board, device_tokens["board"])
    expect(board.get_by_role("heading", name="Sedang dipanggil")).to_be_visible()

    officer = new_page()
    browser_login(officer, "petugas.sampit", "/queue/console/")
    officer.get_by_role("button", name=re.compile("Buka loket")).first.click()
    # Earlier runs against the same database may have left tickets: call until ours.
    for _ in range(50):
        officer.get_by_role("button", name="Panggil berikutnya").click()
        current = officer.get_by_test_id("current-ticket")
        expect(current).to_have_text(re.compile(r"[A-Z]+-\d{3}"))
        if current.inner_text() == number:
            break
        officer.get_by_role("button", name="Mulai layani").click()
        officer.get_by_role("button", name=re.compile("Selesaikan: Tuntas")).click()
    expect(officer.get_by_test_id("current-ticket")).to_have_text(number)
    expect(board.locator("#current")).to_contain_text(number, timeout=10_000)
    officer.get_by_role("button", name="Mulai layani").click()
    officer.get_by_role("button", name=re.compile("Selesaikan: Tuntas")).click()
    screenshot(officer, "console")
    screenshot(board, "board")
    for page in (kiosk, board, officer):
        assert page.js_errors == []


def test_the_analyst_dashboard_draws_its_charts(new_page):
    page = new_page()
    browser_login(page, "analis", "/monitoring/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pemantauan nasional: laporan mingguan"
    )
    assert f"/monitoring/weeks/{IsoWeek.last_complete()}/" in page.url
    page.wait_for_function("typeof Chart !== 'undefined'")
    page.wait_for_function("Object.keys(Chart.instances).length === 3")
    screenshot(page, "monitoring")
    page.get_by_role("link", name="Peta").click()
    expect(page.locator("svg.mpp-map path")).to_have_count(514)
    assert page.js_errors == []
