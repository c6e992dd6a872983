"""The display board calls people with recorded clips, in Chromium: the sound switch is kept by
the board device across reloads, a new call plays "nomor antrean, A, satu, silakan menuju
loket, <counter>" clip after clip through one audio element, and the highlight lasts the
setting; the small counter display shows the number served there."""

import re

import pytest
from playwright.sync_api import expect

from conftest import make_user
from mpp.accounts.models import Role, User
from mpp.registry.models import Counter, Mall, OfficerPosting, Service
from mpp.visits import services as q
from mpp.visits.devices import device_issue
from mpp.visits.models import DeviceKind

from .conftest import open_all_day

# Every audio element's play() is recorded (the clip URL), then really played.
RECORD_PLAYS = """
window.__played = [];
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__played.push(this.src);
  return realPlay.call(this);
};
"""


def id_number(n: int) -> list[str]:
    """The board's Indonesian number clips, for the small numbers of this test."""
    if n < 10:
        return [str(n)]
    if n == 10:
        return ["sepuluh"]
    if n == 11:
        return ["sebelas"]
    if n < 20:
        return [str(n % 10), "belas"]
    return [str(n // 10), "puluh"] + ([str(n % 10)] if n % 10 else [])


@pytest.fixture
def sampit(demo_data):
    mall = Mall.objects.get(code="mpp-6202")
    open_all_day(mall)
    return mall


def board_page(browser, live_server, token):
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": 1280, "height": 720}
    )
    context.add_init_script(RECORD_PLAYS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/queue/device/")
    page.get_by_label("Token perangkat").fill(token)
    page.get_by_role("button", name="Aktifkan").click()
    expect(page.get_by_role("heading", name="Sedang dipanggil")).to_be_visible()
    return page


def test_the_board_plays_the_recorded_clips_of_a_new_call(browser, live_server, sampit, settings):
    settings.BOARD_HIGHLIGHT_SECONDS = 3
    manager = User.objects.get(username="manajer.sampit")
    _, token = device_issue(mall=sampit, kind=DeviceKind.BOARD, name="Papan", by=manager)
    service = Service.objects.get(mall=sampit, slug="ktp-el")
    counter = Counter.objects.filter(mall=sampit, services=service, is_active=True).first()
    officer = make_user("petugas_papan", Role.COUNTER_OFFICER)
    OfficerPosting.objects.create(officer=officer, mall=sampit, agency=counter.agency)

    board = board_page(browser, live_server, token)
    board.get_by_role("button", name="Nyalakan suara").click()
    board.reload()  # the switch is kept by this board device
    expect(board.get_by_role("button", name="Matikan suara")).to_have_attribute(
        "aria-pressed", "true"
    )
    board.wait_for_function("() => document.querySelector('#clock').textContent !== ''")

    ticket = q.ticket_issue(mall=sampit, service=service)
    q.counter_open(counter=counter, officer=officer)
    q.call_next(counter=counter, officer=officer)

    expected = (
        ["nomor-antrean"]
        + list(ticket.prefix)
        + id_number(ticket.number)
        + ["silakan-menuju-loket"]
        + [
            c
            for part in re.findall(r"[A-Z]|[0-9]+", counter.number.upper())
            for c in (id_number(int(part)) if part.isdigit() else [part])
        ]
    )
    expected = ["id/" + name for name in expected]
    audio = board.locator("#call-audio")
    expect(audio).to_have_attribute("data-sequence", " ".join(expected), timeout=8_000)
    fresh = board.locator("#current tr.fresh")
    expect(fresh).to_contain_text(ticket.display_number)
    # every clip was started, in order, through the one audio element
    board.wait_for_function(f"() => window.__played.length >= {len(expected)}", timeout=15_000)
    played = board.evaluate("window.__played")
    names = [
        re.sub(r"^.*/calls/(\w+)/([\w-]+?)(\.[0-9a-f]{12})?\.ogg$", r"\1/\2", p) for p in played
    ]
    assert names[: len(expected)] == expected, names
    # the highlight of the new call ends after BOARD_HIGHLIGHT_SECONDS
    expect(fresh).to_have_count(0, timeout=10_000)
    expect(board.locator("#current")).to_contain_text(ticket.display_number)


def test_the_counter_display_shows_the_number_served_there(browser, live_server, sampit):
    manager = User.objects.get(username="manajer.sampit")
    _, token = device_issue(mall=sampit, kind=DeviceKind.BOARD, name="Loket", by=manager)
    service = Service.objects.get(mall=sampit, slug="ktp-el")
    counter = Counter.objects.filter(mall=sampit, services=service, is_active=True).first()
    officer = make_user("petugas_loket", Role.COUNTER_OFFICER)
    OfficerPosting.objects.create(officer=officer, mall=sampit, agency=counter.agency)
    board = board_page(browser, live_server, token)
    board.goto(f"/queue/{sampit.code}/counter/{counter.pk}/")
    expect(board.get_by_test_id("serving")).to_have_text("—")
    ticket = q.ticket_issue(mall=sampit, service=service)
    q.counter_open(counter=counter, officer=officer)
    q.call_next(counter=counter, officer=officer)
    expect(board.get_by_test_id("serving")).to_have_text(ticket.display_number, timeout=10_000)
    assert board.locator("header.site").count() == 0
