"""The API twins: same numbers as the pages, same refusals."""

from datetime import date

import time_machine

from mpp.surveys.models import SurveyResponse
from mpp.surveys.services import complaint_file, survey_signature, survey_submit

from .conftest import GOOD, at, serve

NOW = at(date(2026, 11, 24), 10)


def test_submit_with_a_ticket_link_then_refuse_a_second_and_a_forged_one(client, quality):
    ticket = serve(quality)
    body = {"ticket": str(ticket.uuid), "k": survey_signature(ticket.uuid), "scores": GOOD}
    first = client.post("/api/v1/quality/responses/", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["channel"] == "ticket_link"
    second = client.post("/api/v1/quality/responses/", body, content_type="application/json")
    assert second.status_code == 400
    forged = client.post(
        "/api/v1/quality/responses/", body | {"k": "x"}, content_type="application/json"
    )
    assert forged.status_code == 400
    assert SurveyResponse.objects.count() == 1


def test_kiosk_submission_names_the_bad_element(client, quality):
    body = {"mall": quality.mall.code, "service": quality.ktp.pk, "scores": GOOD | {"u5": 5}}
    response = client.post("/api/v1/quality/responses/", body, content_type="application/json")
    assert response.status_code == 400 and "u5" in response.json()
    assert not SurveyResponse.objects.exists()


def test_ikm_table_matches_the_computation(client, quality):
    with time_machine.travel(NOW):
        survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.ktp)
        survey_submit(
            scores=dict.fromkeys(GOOD, 3), channel="kiosk", mall=quality.mall, service=quality.ktp
        )
        data = client.get("/api/v1/quality/ikm/", {"period": "2026-Q4", "group": "service"}).json()
        bad = client.get("/api/v1/quality/ikm/", {"period": "2026-Q9"})
    assert data["total"]["ikm"] == "87.50" and data["total"]["grade"] == "B"
    assert data["rows"][0]["index"]["nrr"][0] == "3.5000"
    assert bad.status_code == 400 and "period" in bad.json()


def test_mall_quality_and_scorecards(client, quality):
    with time_machine.travel(NOW):
        survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.ktp)
        card = client.get(f"/api/v1/quality/malls/{quality.mall.code}/").json()
        summary = client.get("/api/v1/quality/scorecards/", {"province": "62"}).json()
    assert card["performance"]["ikm"] == "100.00"
    assert {s["name"] for s in card["services"]} == {"KTP-el", "Kartu Keluarga", "SKCK"}
    assert [r for r in summary if r["mall"] == quality.mall.code][0]["grade"] == "A"


def test_complaints_public_tracking_hides_personal_data(client, quality, ministry_analyst):
    created = client.post(
        "/api/v1/quality/complaints/",
        {
            "mall": quality.mall.code,
            "category": "fee",
            "description": "Diminta uang tambahan di loket.",
            "contact": "081299998888",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    code = created.json()["tracking_code"]
    public = client.get(f"/api/v1/quality/complaints/{code}/").json()
    assert "contact" not in public and "description" not in public
    assert client.get("/api/v1/quality/complaints/list/").status_code == 403
    client.force_login(ministry_analyst)
    listing = client.get("/api/v1/quality/complaints/list/", {"mall": quality.mall.code}).json()
    assert listing["results"][0]["contact"] == "081299998888"


def test_staff_lists_are_limited_to_visible_malls(client, quality, mall_manager_jakarta):
    complaint_file(
        mall=quality.mall, category="other", description="Toilet rusak sejak pagi.", channel="web"
    )
    survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.ktp)
    client.force_login(mall_manager_jakarta)
    assert client.get("/api/v1/quality/complaints/list/").json()["count"] == 0
    assert client.get("/api/v1/quality/responses/list/").json()["count"] == 0
    refused = client.get(f"/api/v1/quality/malls/{quality.mall.code}/empty-counters/")
    assert refused.status_code == 403
