"""A whole morning at MPP Kotawaringin Timur, in Chromium: kiosk tickets (walk-in and
priority), a booking checked in, the officer calling, serving, transferring and finishing,
the display board showing the calls, the citizen's page showing a wait range, and the daily
rollup equal to a recomputation from the raw visits."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from mpp.accounts.models import User
from mpp.registry.models import Mall, OpeningHours, Service
from mpp.visits import services as q
from mpp.visits.devices import device_issue
from mpp.visits.models import DailyRollup, DeviceKind, Ticket
from mpp.visits.rollups import ROLLUP_FIELDS, rollups_compute

from .conftest import screenshot


@pytest.fixture
def sampit(demo_data, settings):
    settings.BOOKING_SLOT_MINUTES = 15
    mall = Mall.objects.get(code="mpp-6202")
    if mall.local_now().time() > time(23, 0):
        pytest.skip("too close to midnight in Sampit for a same-day booking")
    # Open all day, every day, so the test does not depend on when CI runs.
    mall.opening_hours.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(
            mall=mall, weekday=weekday, opens_at=time(0), closes_at=time(23, 59)
        )
    return mall


def activate(browser, live_server, token):
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/queue/device/")
    page.get_by_label("Token perangkat").fill(token)
    page.get_by_role("button", name="Aktifkan").click()
    return page


def take_ticket(kiosk, service_name, lane):
    kiosk.get_by_role("link", name=re.compile("^Dukcapil")).click()
    kiosk.get_by_role("link", name=service_name).click()
    kiosk.get_by_role("button", name=lane).click()
    number = kiosk.get_by_test_id("ticket-number").inner_text()
    kiosk.get_by_role("link", name="Selesai").click()
    return number


def test_a_morning_at_the_mall(browser, live_server, page, sampit):
    manager = User.objects.get(username="manajer.sampit")
    _, kiosk_token = device_issue(mall=sampit, kind=DeviceKind.KIOSK, name="Kios pintu", by=manager)
    _, board_token = device_issue(mall=sampit, kind=DeviceKind.BOARD, name="Papan", by=manager)
    ktp = Service.objects.get(mall=sampit, slug="ktp-el")
    other = Service.objects.filter(mall=sampit, agency__code="dukcapil").exclude(pk=ktp.pk).first()
    # A citizen booked the next slot this morning.
    next_slot = next(
        s
        for s in q.booking_slots(service=ktp, day=sampit.local_now().date())
        if s.starts_at > sampit.local_now()
    )
    booking = q.booking_create(
        service=ktp,
        day=next_slot.starts_at.date(),
        slot_start=next_slot.start,
        nik="6202014501900001",
        phone="081234567890",
    )

    kiosk = activate(browser, live_server, kiosk_token)
    expect(kiosk.get_by_role("heading", name="Ambil nomor antrean")).to_be_visible()
    walk_in = take_ticket(kiosk, ktp.name, "Antrean reguler")
    screenshot(kiosk, "queue-kiosk-done")
    priority = take_ticket(kiosk, ktp.name, re.compile("Prioritas: Lansia"))
    kiosk.get_by_label("Kode reservasi").fill(booking.code)
    kiosk.get_by_role("button", name="Lapor hadir").click()
    booked = kiosk.get_by_test_id("ticket-number").inner_text()
    screenshot(kiosk, "queue-ticket")
    assert len({walk_in, priority, booked}) == 3

    # The booked citizen follows the queue on a phone: two people ahead, a range.
    booked_ticket = Ticket.objects.get(mall=sampit, channel="booking")
    phone = page
    phone.goto(f"/queue/t/{booked_ticket.uuid}/")
    expect(phone.get_by_test_id("ahead")).to_contain_text("2")
    expect(phone.get_by_test_id("range")).to_contain_text(
        re.compile(r"Perkiraan waktu tunggu: \d+–\d+ menit")
    )
    screenshot(phone, "queue-citizen")

    board = activate(browser, live_server, board_token)
    expect(board.get_by_role("heading", name="Sedang dipanggil")).to_be_visible()

    # The officer opens counter 01 and serves: the priority visitor first.
    officer = browser.new_context(base_url=live_server.url, locale="id-ID").new_page()
    officer.set_default_timeout(10_000)
    officer.goto("/accounts/login/?next=/queue/console/")
    officer.get_by_label("Nama pengguna").fill("petugas.sampit")
    officer.get_by_label("Sandi").fill("mpp-demo-2026")
    officer.get_by_role("button", name="Masuk").click()
    officer.get_by_role("button", name=re.compile("Buka loket")).first.click()
    officer.get_by_role("button", name="Panggil berikutnya").click()
    expect(officer.get_by_test_id("current-ticket")).to_have_text(priority)
    expect(board.locator("#current")).to_contain_text(priority, timeout=5_000)
    officer.get_by_role("button", name="Mulai layani").click()
    expect(officer.get_by_role("button", name=re.compile("Selesaikan: Tuntas"))).to_be_visible()
    officer.get_by_label("Alihkan ke").select_option(label=f"Dukcapil — {other.name}")
    officer.get_by_role("button", name="Alihkan", exact=True).click()
    expect(officer.get_by_text(re.compile("Dialihkan|dialihkan"))).to_be_visible()

    # Next: the transferred visitor kept the place (served by this counter too), then the walk-in.
    officer.get_by_role("button", name="Panggil berikutnya").click()
    transferred = Ticket.objects.get(transferred_from__isnull=False)
    expect(officer.get_by_test_id("current-ticket")).to_have_text(transferred.display_number)
    officer.get_by_role("button", name="Mulai layani").click()
    officer.get_by_role("button", name=re.compile("Selesaikan: Tuntas")).click()
    officer.get_by_role("button", name="Panggil berikutnya").click()
    expect(officer.get_by_test_id("current-ticket")).to_have_text(walk_in)
    officer.get_by_role("button", name="Mulai layani").click()
    officer.get_by_role("button", name=re.compile("Selesaikan: Tuntas")).click()
    screenshot(officer, "queue-console")

    # The board shows the calls; the booked citizen is now first in line.
    expect(board.locator("#last")).to_contain_text(walk_in, timeout=5_000)
    expect(board.locator("#last")).to_contain_text(priority)
    screenshot(board, "queue-board")
    phone.reload()
    expect(phone.get_by_test_id("ahead")).to_contain_text("0")

    stored = {
        (r.mall_id, r.service_id, r.local_date): {f: getattr(r, f) for f in ROLLUP_FIELDS}
        for r in DailyRollup.objects.filter(mall=sampit)
    }
    recomputed = {
        k: {f: v[f] for f in ROLLUP_FIELDS}
        for k, v in rollups_compute(Ticket.objects.filter(mall=sampit)).items()
    }
    assert stored == recomputed
    assert (
        sum(r["served"] for r in stored.values()) == 3
    )  # transferred, transfer's new ticket, walk-in
