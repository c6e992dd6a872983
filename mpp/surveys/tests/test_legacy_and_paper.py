"""Old 2004-method reports imported from CSV/XLSX with a preview, and paper questionnaires
typed in by staff."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from mpp.surveys.models import LegacyReport, SurveyChannel, SurveyResponse
from mpp.surveys.services import questionnaires_from_file, survey_submit

from .conftest import GOOD

HEADER = ",".join(f"U{i}" for i in range(1, 15))


def csv_file(*rows: str, name="skm-2016.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *rows]) + "\n").encode())


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([f"U{i}" for i in range(1, 15)])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_questionnaires_are_read_and_every_broken_row_is_named():
    assert questionnaires_from_file(
        name="a.xlsx", content=xlsx_bytes([[3] * 14, [4.0] * 14]), method="2004"
    ) == [[3] * 14, [4] * 14]
    with pytest.raises(Exception) as caught:
        questionnaires_from_file(
            name="a.xlsx", content=xlsx_bytes([[5] + [3] * 13, [3] * 14, [3] * 13]), method="2004"
        )
    messages = caught.value.messages
    assert messages[0].startswith("Baris 2, kolom U1") and messages[1].startswith(
        "Baris 4, kolom U14"
    )
    with pytest.raises(Exception, match="XLSX"):
        questionnaires_from_file(name="a.xlsx", content=b"not a workbook", method="2004")


def test_legacy_import_previews_then_saves_apart_from_the_current_ikm(
    client, quality, mall_manager_sampit
):
    survey_submit(
        scores=GOOD,
        channel="kiosk",
        mall=quality.mall,
        service=quality.ktp,
        now=timezone.make_aware(timezone.datetime(2016, 3, 1, 10)),
    )
    client.force_login(mall_manager_sampit)
    url = reverse("surveys:legacy_reports", args=[quality.mall.code])
    preview = client.post(
        url,
        {
            "period": "2016",
            "reported_ikm": "87.49",
            "file": csv_file(",".join(["3"] * 14), ",".join(["4"] * 14)),
        },
    )
    assert preview.status_code == 200 and "data-preview-ikm" in preview.text
    assert not LegacyReport.objects.exists()  # nothing saved before confirming
    payload = preview.context["preview"]["payload"]
    assert str(preview.context["preview"]["result"].ikm) == "87.50"
    assert str(preview.context["preview"]["current"].ikm) == "100.00"  # shown beside
    done = client.post(url, {"payload": payload})
    assert done.status_code == 302
    report = LegacyReport.objects.get()
    assert (report.respondents, report.period_label, report.source_name) == (
        2,
        "2016",
        "skm-2016.csv",
    )
    # The current IKM still counts only the current questionnaires.
    assert SurveyResponse.objects.filter(mall=quality.mall).ikm().respondents == 1
    page = client.get(url)
    assert page.text.count("data-legacy-row") == 1
    assert "87,50" in page.text and "100,00" in page.text  # Indonesian decimals
    csv = client.get(url + "?format=csv").content.decode()
    assert "2016,,2,87.50,A,87.49,100.00,1,skm-2016.csv" in csv
    api = client.get(reverse("api-quality-legacy-reports", args=[quality.mall.code])).json()
    assert api[0]["legacy"]["ikm"] == "87.50" and api[0]["legacy"]["method"] == "2004"
    assert api[0]["current"]["ikm"] == "100.00" and api[0]["current"]["method"] == "2017"
    # The same period again is refused; a tampered preview too.
    again = client.post(url, {"payload": payload}, follow=True)
    assert "sudah pernah diimpor" in again.text and LegacyReport.objects.count() == 1
    client.post(url, {"payload": payload[:-2] + "xx"})
    assert LegacyReport.objects.count() == 1


def test_a_broken_file_lists_every_row_and_saves_nothing(client, quality, ministry_analyst):
    client.force_login(ministry_analyst)  # analysts may import for any mall
    url = reverse("surveys:legacy_reports", args=[quality.mall.code])
    page = client.post(
        url,
        {
            "period": "2016-S1",
            "file": csv_file(",".join(["3"] * 14), ",".join(["7"] * 14), ",".join(["3"] * 13)),
        },
    )
    assert page.status_code == 200 and page.context["preview"] is None
    assert "Baris 3, kolom U1" in page.text and "Baris 4, kolom U14" in page.text
    assert not LegacyReport.objects.exists()
    wrong = client.post(url, {"period": "2016", "file": csv_file(name="skm.pdf")})
    assert "Unggah berkas .csv atau .xlsx." in wrong.text


def test_officers_cannot_import_old_reports(client, quality):
    client.force_login(quality.ani)
    url = reverse("surveys:legacy_reports", args=[quality.mall.code])
    assert client.get(url).status_code == 200  # may read
    response = client.post(url, {"period": "2016", "file": csv_file(",".join(["3"] * 14))})
    assert response.status_code == 403


def test_staff_enter_paper_forms_with_the_day_they_were_filled_in(client, quality):
    client.force_login(quality.ani)
    url = reverse("surveys:paper_entry", args=[quality.mall.code])
    assert client.get(url).status_code == 200
    filled = timezone.localdate(timezone=quality.mall.tz) - timedelta(days=3)
    response = client.post(
        url, {**GOOD, "service": quality.kk.slug, "collected_on": filled.isoformat(), "sex": "f"}
    )
    assert response.status_code == 302 and f"service={quality.kk.slug}" in response.url
    saved = SurveyResponse.objects.get()
    assert (saved.channel, saved.local_date, saved.entered_by, saved.sex) == (
        SurveyChannel.PAPER,
        filled,
        quality.ani,
        "f",
    )
    future = client.post(url, {**GOOD, "service": quality.kk.slug, "collected_on": "2999-01-01"})
    assert "Tanggal tidak boleh di masa depan." in future.text
    broken = client.post(url, {**GOOD, "u3": "5", "service": quality.kk.slug,
                               "collected_on": filled.isoformat()})  # fmt: skip
    assert broken.status_code == 200 and SurveyResponse.objects.count() == 1


def test_citizens_cannot_enter_paper_forms(client, quality, citizen):
    client.force_login(citizen)
    assert client.get(reverse("surveys:paper_entry", args=[quality.mall.code])).status_code == 403


def test_paper_forms_through_the_api_need_the_malls_staff(client, quality):
    api = reverse("api-quality-response-create")
    body = {
        "mall": quality.mall.code,
        "service": quality.kk.pk,
        "channel": "paper",
        "collected_on": str(date(2026, 1, 5)),
        "scores": GOOD,
    }
    assert client.post(api, body, content_type="application/json").status_code == 403
    client.force_login(quality.ani)
    created = client.post(api, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["local_date"] == "2026-01-05"
