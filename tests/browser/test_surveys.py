"""A citizen rates a service from the ticket's link and the mall's IKM page changes."""

import re

import pytest

from mpp.accounts.models import User
from mpp.registry.models import Counter, Mall
from mpp.surveys.services import survey_path
from mpp.visits import services as queue

from .conftest import open_all_day, screenshot

pytestmark = pytest.mark.browser


def finished_ticket():
    mall = Mall.objects.get(code="mpp-6202")
    open_all_day(mall)  # tickets are issued only within opening hours
    officer = User.objects.get(username="petugas.sampit")
    counter = Counter.objects.filter(mall=mall, agency__code="dukcapil").first()
    service = counter.services.first()
    queue.ticket_issue(mall=mall, service=service)
    queue.counter_open(counter=counter, officer=officer)
    ticket = queue.call_next(counter=counter, officer=officer)
    queue.ticket_start(ticket=ticket, officer=officer)
    return queue.ticket_finish(ticket=ticket, officer=officer, outcome="completed")


def test_a_citizen_rates_from_the_ticket_link_and_the_ikm_changes(page, demo_data):
    ticket = finished_ticket()
    page.goto("/quality/mpp-6202/")
    assert page.locator("[data-ikm]").inner_text().strip() == "—"

    page.goto(survey_path(ticket))
    page.get_by_text("Pertanyaan 1 dari 10").wait_for()
    for number in range(1, 10):
        question = page.locator(f"#q-u{number}")
        question.wait_for(state="visible")
        question.locator("label").nth(3).click()  # the best answer, score 4
    page.get_by_text("Pertanyaan 10 dari 10").wait_for()
    page.get_by_label("Usia").select_option("60_plus")
    screenshot(page, "surveys-ticket-survey-profile")
    page.get_by_role("button", name="Kirim jawaban saya").click()
    page.get_by_text("Terima kasih atas jawaban Anda!").wait_for()

    page.get_by_role("link", name="Lihat indeks kepuasan mal ini").click()
    ikm = page.locator("[data-ikm]").inner_text().strip()
    assert re.fullmatch(r"\d{2,3}\.\d{2}", ikm)
    assert page.get_by_text("1 responden").first.is_visible()
    screenshot(page, "surveys-mall-quality")

    page.goto(survey_path(ticket))
    page.get_by_text("Tiket ini sudah dinilai").wait_for()


def test_a_citizen_files_a_complaint_on_the_kiosk_in_large_type(page, demo_data):
    page.goto("/quality/mpp-6202/complaint/?kiosk=1")
    page.get_by_role("heading", name="Sampaikan pengaduan").wait_for()
    page.get_by_label("Waktu penyelesaian atau antrean").check()
    page.get_by_label("Apa yang terjadi?").fill("Antrean KTP berhenti lebih dari satu jam.")
    screenshot(page, "surveys-kiosk-complaint")
    page.get_by_role("button", name="Kirim pengaduan").click()
    page.get_by_text("Pengaduan Anda telah diterima").wait_for()
    code = page.locator("[data-tracking-code]")
    assert re.fullmatch(r"ADU-[0-9A-Z]{8}", code.inner_text().strip())
    assert float(code.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40
