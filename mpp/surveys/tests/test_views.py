"""The pages a citizen, an officer and a manager use (Indonesian is the default)."""

import csv
import io
from datetime import date

import time_machine
from django.urls import reverse

from mpp.surveys.models import Complaint, SurveyResponse
from mpp.surveys.services import complaint_file, survey_path, survey_submit

from .conftest import GOOD, at, serve

ANSWERS = {f"u{i}": "3" for i in range(1, 10)}


def test_a_citizen_rates_a_served_ticket_from_its_link(client, quality):
    ticket = serve(quality)
    page = client.get(survey_path(ticket))
    assert page.status_code == 200
    assert "Bagaimana pendapat Saudara" in page.content.decode()
    response = client.post(survey_path(ticket), ANSWERS | {"age_band": "60_plus"})
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert (saved.ticket, saved.u1, saved.age_band) == (ticket, 3, "60_plus")
    again = client.get(survey_path(ticket))
    assert "sudah dinilai" in again.content.decode()


def test_a_forged_survey_link_is_refused(client, quality):
    ticket = serve(quality)
    response = client.get(reverse("surveys:ticket_survey", args=[ticket.uuid]) + "?k=forged")
    assert response.status_code == 404
    assert "tidak sah" in response.content.decode()
    assert (
        client.post(reverse("surveys:ticket_survey", args=[ticket.uuid]), ANSWERS).status_code
        == 404
    )
    assert not SurveyResponse.objects.exists()


def test_a_missing_answer_is_named_and_nothing_is_saved(client, quality):
    ticket = serve(quality)
    answers = dict(ANSWERS)
    del answers["u4"]
    response = client.post(survey_path(ticket), answers)
    assert response.status_code == 200
    assert "Pilih satu jawaban" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_kiosk_survey_picks_a_service_then_saves_anonymously(client, quality):
    pick = client.get(reverse("surveys:mall_survey", args=[quality.mall.code]))
    assert "SKCK" in pick.content.decode()
    url = reverse("surveys:mall_service_survey", args=[quality.mall.code, "skck"])
    assert client.post(url, ANSWERS).status_code == 302
    saved = SurveyResponse.objects.get()
    assert (saved.service, saved.channel, saved.ticket) == (quality.skck, "kiosk", None)


def test_the_mall_quality_page_shows_the_ikm(client, quality):
    with time_machine.travel(at(date(2026, 11, 24), 10)):
        survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.ktp)
        page = client.get(reverse("surveys:mall_quality", args=[quality.mall.code]))
    text = page.content.decode()
    assert "100.00" in text and "Sangat Baik" in text


def test_the_mall_quality_csv_has_a_row_per_service_with_its_ikm(client, quality):
    with time_machine.travel(at(date(2026, 11, 24), 10)):
        survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.ktp)
        export = client.get(
            reverse("surveys:mall_quality", args=[quality.mall.code]), {"format": "csv"}
        )
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert list(rows[0]) == [
        "service",
        "agency",
        "standard_complete",
        "served",
        "time_source",
        "time_measured",
        "within_standard_pct",
        "respondents",
        "sample_target",
        "ikm",
        "grade",
    ]
    ktp = next(r for r in rows if r["service"] == quality.ktp.name)
    assert (ktp["respondents"], ktp["ikm"], ktp["grade"]) == ("1", "100.00", "A")


def test_ikm_table_filters_and_exports_csv(client, quality):
    with time_machine.travel(at(date(2026, 11, 24), 10)):
        survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.ktp)
        survey_submit(
            scores=dict.fromkeys(GOOD, 1), channel="kiosk", mall=quality.mall, service=quality.skck
        )
        page = client.get(reverse("surveys:ikm_table"), {"period": "2026-Q4", "group": "service"})
        assert "Tidak Baik" in page.content.decode()
        export = client.get(
            reverse("surveys:ikm_table"), {"period": "2026", "group": "agency", "format": "csv"}
        )
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "unit" and len(rows) == 3
    assert {r[-3] for r in rows[1:]} == {"A", "D"}


def test_the_skm_report_renders_and_exports(client, quality):
    with time_machine.travel(at(date(2026, 11, 24), 10)):
        survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.ktp)
        params = {"mall": quality.mall.code, "period": "2026-Q4"}
        page = client.get(reverse("surveys:skm_report"), params)
        assert "Sangat Baik" in page.content.decode()
        xlsx = client.get(reverse("surveys:skm_report"), params | {"format": "xlsx"})
        assert xlsx.content[:2] == b"PK"
        pdf = client.get(
            reverse("surveys:skm_report"), params | {"format": "pdf", "service": "ktp-el"}
        )
        assert pdf.content[:4] == b"%PDF"


def test_a_complaint_is_filed_and_tracked_without_personal_data(client, quality):
    url = reverse("surveys:complaint_new", args=[quality.mall.code])
    response = client.post(
        url,
        {
            "category": "counter_empty",
            "service": quality.ktp.pk,
            "description": "Loket 1 kosong selama satu jam.",
            "contact_name": "Budi Santoso",
            "contact": "081234567890",
        },
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/quality/complaints/{complaint.tracking_code}/"
    page = client.get(response["Location"]).content.decode()
    assert complaint.tracking_code in page and "Diterima" in page
    assert "Budi" not in page and "0812" not in page and "Loket 1 kosong" not in page


def test_staff_handle_complaints_and_others_cannot(client, quality, mall_manager_jakarta):
    complaint = complaint_file(
        mall=quality.mall,
        category="staff",
        description="Petugas tidak ramah kepada lansia.",
        channel="web",
    )
    client.force_login(quality.ani)
    listing = client.get(reverse("surveys:complaint_list", args=[quality.mall.code]))
    assert complaint.tracking_code in listing.content.decode()
    export = client.get(
        reverse("surveys:complaint_list", args=[quality.mall.code]), {"format": "csv"}
    )
    assert complaint.tracking_code in export.content.decode()
    detail = reverse("surveys:complaint_detail", args=[complaint.pk])
    response = client.post(
        detail, {"status": "answered", "message": "Sudah ditindaklanjuti.", "is_public": "on"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "answered"
    client.force_login(mall_manager_jakarta)
    assert client.get(detail).status_code == 403
    assert client.get(reverse("surveys:compliance", args=[quality.mall.code])).status_code == 403


def test_compliance_page_lists_services_and_empty_counters(client, quality, mall_manager_sampit):
    client.force_login(mall_manager_sampit)
    with time_machine.travel(at(date(2026, 11, 24), 10)):
        page = client.get(reverse("surveys:compliance", args=[quality.mall.code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Loket 1" in text and "SKCK" in text


def test_scorecards_list_malls_and_export(client, quality):
    with time_machine.travel(at(date(2026, 11, 24), 10)):
        survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.ktp)
        page = client.get(reverse("surveys:scorecards"), {"period": "2026-Q4"})
        assert quality.mall.name in page.content.decode()
        export = client.get(reverse("surveys:scorecards"), {"period": "2026-Q4", "format": "csv"})
    assert quality.mall.code in export.content.decode()
