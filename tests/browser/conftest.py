"""Browser tests: Playwright drives Debian's Chromium (no browser download) against the
live test server."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test's own fixtures are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def demo_data(transactional_db):
    """The live server's database is flushed after each browser test: load afresh."""
    quiet = open(os.devnull, "w")  # noqa: SIM115
    call_command("load_reference_data", skip_villages=True, stdout=quiet)
    call_command("load_demo_data", stdout=quiet)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_all_day(mall) -> None:
    """Open every day 00:00-23:59, so a test that issues tickets does not depend on when CI runs
    (tickets are issued only within opening hours)."""
    from datetime import time

    from mpp.registry.models import OpeningHours

    mall.opening_hours.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(
            mall=mall, weekday=weekday, opens_at=time(0), closes_at=time(23, 59)
        )
