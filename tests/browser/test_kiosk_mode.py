"""The kiosk as a device, in Chromium: no site navigation, large touch targets, back to the start
when left alone, and a receipt that prints itself laid out for 80 mm and 58 mm thermal paper."""

import re

import pytest
from playwright.sync_api import expect

from mpp.accounts.models import User
from mpp.registry.models import Mall, Service
from mpp.visits import services as q
from mpp.visits.devices import device_issue
from mpp.visits.models import DeviceKind

from .conftest import open_all_day

MM = 96 / 25.4  # CSS pixels per millimetre
COUNT_PRINTS = "window.__prints = 0; window.print = () => { window.__prints += 1; };"


@pytest.fixture
def kiosk(browser, live_server, demo_data):
    """A kiosk device page of Sampit (open all day), with window.print counted, not shown."""
    mall = Mall.objects.get(code="mpp-6202")
    open_all_day(mall)
    manager = User.objects.get(username="manajer.sampit")
    _, token = device_issue(mall=mall, kind=DeviceKind.KIOSK, name="Kios pintu", by=manager)
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": 1080, "height": 1920}
    )
    context.add_init_script(COUNT_PRINTS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/queue/device/")
    page.get_by_label("Token perangkat").fill(token)
    page.get_by_role("button", name="Aktifkan").click()
    expect(page.get_by_role("heading", name="Ambil nomor antrean")).to_be_visible()
    yield page
    context.close()


def test_the_kiosk_has_no_site_navigation_and_goes_back_to_the_start_when_left(kiosk, settings):
    settings.KIOSK_IDLE_SECONDS = 2
    start = kiosk.url
    assert kiosk.locator("header.site").count() == 0
    assert kiosk.get_by_role("link", name="Masuk").count() == 0
    kiosk.get_by_role("link", name=re.compile("^Dukcapil")).click()
    button = kiosk.locator(".kiosk-button").first
    box = button.bounding_box()
    assert box["height"] >= 64
    assert float(button.evaluate("b => getComputedStyle(b).fontSize").rstrip("px")) >= 24
    button.click()
    kiosk.get_by_role("button", name="Antrean reguler").click()
    expect(kiosk.get_by_test_id("ticket-number")).to_be_visible()
    # the receipt printed itself once, then, left alone, the kiosk is back at its start
    assert kiosk.evaluate("window.__prints") == 1
    expect(kiosk).to_have_url(re.compile(re.escape(start.split("?")[0]) + r"\?fresh=1$"))
    expect(kiosk.get_by_role("heading", name="Ambil nomor antrean")).to_be_visible()
    assert kiosk.get_by_test_id("ticket-number").count() == 0


@pytest.mark.parametrize(("paper", "printable"), [(80, 72), (58, 48)])
def test_the_receipt_prints_inside_the_thermal_paper_width(kiosk, settings, paper, printable):
    settings.KIOSK_RECEIPT_MM = paper
    mall = Mall.objects.get(code="mpp-6202")
    ticket = q.ticket_issue(mall=mall, service=Service.objects.filter(mall=mall).first())
    kiosk.set_viewport_size({"width": round(paper * MM), "height": 1200})
    kiosk.emulate_media(media="print")
    kiosk.goto(f"/queue/t/{ticket.uuid}/print/")
    receipt = kiosk.locator("#receipt")
    expect(receipt).to_be_visible()
    width = receipt.bounding_box()["width"]
    assert abs(width - printable * MM) < 2, (paper, width)
    # nothing sticks out of the paper: no sideways overflow, the QR code inside the receipt
    assert kiosk.evaluate("document.documentElement.scrollWidth") <= round(paper * MM)
    qr = kiosk.locator(".receipt-qr svg").bounding_box()
    assert qr["width"] <= width
    number = kiosk.get_by_test_id("ticket-number")
    assert number.bounding_box()["width"] <= width
    assert kiosk.locator(".no-print").first.is_hidden()
