"""Booking on a 390 px phone, in Chromium: nothing scrolls sideways, the time slots are targets
of at least 44 px, and the booking code fits its box."""

from datetime import timedelta

import pytest

from mpp.registry.models import Mall, Service
from mpp.visits import services as q

from .conftest import open_all_day


@pytest.fixture
def phone(browser, live_server, demo_data):
    context = browser.new_context(
        base_url=live_server.url,
        locale="id-ID",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_booking_on_a_390_px_phone_fits_and_has_large_targets(phone):
    mall = Mall.objects.get(code="mpp-6202")
    open_all_day(mall)
    service = Service.objects.get(mall=mall, slug="ktp-el")
    tomorrow = mall.local_now().date() + timedelta(days=1)
    phone.goto(f"/queue/{mall.code}/book/?service={service.pk}&date={tomorrow.isoformat()}")
    assert no_sideways_scroll(phone)
    select = phone.locator("select#service").bounding_box()
    assert select["x"] >= 0 and select["x"] + select["width"] <= 390
    slots = phone.locator("label.slot")
    assert slots.count() > 0
    for index in range(min(slots.count(), 5)):
        box = slots.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    slot = q.booking_slots(service=service, day=tomorrow)[0]
    booking = q.booking_create(
        service=service,
        day=tomorrow,
        slot_start=slot.start,
        nik="6202014501900001",
        phone="081234567890",
    )
    phone.goto(f"/queue/booking/{booking.uuid}/")
    code = phone.get_by_test_id("booking-code")
    assert code.inner_text() == booking.code
    assert code.evaluate("e => e.scrollWidth <= e.clientWidth")
    box = code.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert no_sideways_scroll(phone)
