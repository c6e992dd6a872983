"""The API: the citizen's own data and rights; agency systems read consented data and
submit and update applications. Reads are logged like on the pages."""

from datetime import UTC, datetime

import pytest

from ..models import AccessRecord, Application, Purpose
from ..services import consent_grant, delegation_confirm, delegation_request
from .conftest import NIK_SITI
from .helpers import SITI_ANSWERS, submitted

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def siti_api(client, siti):
    client.force_login(siti.user)
    return client


def test_the_citizen_reads_and_corrects_their_profile(siti_api):
    body = siti_api.get(f"{API}citizen/me/").json()
    assert body["nik"] == NIK_SITI and body["sex"] == "F"
    response = siti_api.patch(
        f"{API}citizen/me/", {"occupation": "Guru"}, content_type="application/json"
    )
    assert response.json()["occupation"] == "Guru"
    bad = siti_api.patch(f"{API}citizen/me/", {"rt": "abc"}, content_type="application/json")
    assert bad.status_code == 400 and "rt" in bad.json()
    assert AccessRecord.objects.filter(channel="api").count() >= 2


def test_consents_access_log_and_export_through_the_api(siti_api, officer_jakarta):
    created = siti_api.post(
        f"{API}citizen/me/consents/",
        {"agency": "bpjs-kesehatan", "purpose": "prefill", "categories": ["contact"], "days": 7},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["state"] == "active"
    uuid = created.json()["uuid"]
    revoked = siti_api.post(f"{API}citizen/me/consents/{uuid}/revoke/")
    assert revoked.json()["state"] == "revoked"
    log = siti_api.get(f"{API}citizen/me/access-log/").json()
    assert log["count"] == 0
    export = siti_api.get(f"{API}citizen/me/export/").json()
    assert export["consents"][0]["revoked_at"]


def test_an_agency_system_reads_only_consented_data(client, siti, officer_jakarta):
    client.force_login(officer_jakarta)
    url = f"{API}agency/citizens/read/"
    body = client.post(url, {"nik": NIK_SITI, "purpose": "service_delivery"}).json()
    assert body == {
        "citizen": str(siti.uuid),
        "name_masked": "S*** N***",
        "nik_masked": "3171••••••••0001",
        "granted": False,
        "values": {},
        "refusal": "no_consent",
    }
    consent_grant(
        citizen=siti,
        agency=officer_jakarta.posting.agency,
        purpose=Purpose.SERVICE_DELIVERY,
        categories=["contact"],
        days=5,
        by=siti.user,
    )
    body = client.post(url, {"citizen": str(siti.uuid), "purpose": "service_delivery"}).json()
    assert body["values"] == {"phone": "081234567890", "email": ""}
    strict = client.post(
        url,
        {"citizen": str(siti.uuid), "purpose": "service_delivery", "fields": ["nik"]},
        content_type="application/json",
    )
    assert strict.status_code == 403
    assert list(AccessRecord.objects.values_list("outcome", flat=True)) == [
        "refused",
        "granted",
        "refused",
    ]


def test_an_agency_system_submits_and_updates_an_application(
    client, siti, bpjs_service, officer_jakarta, sms_outbox
):
    client.force_login(officer_jakarta)
    payload = {"citizen": str(siti.uuid), "service": bpjs_service.slug, "values": {}}
    refused = client.post(f"{API}agency/applications/", payload, content_type="application/json")
    assert refused.status_code == 403 and not Application.objects.exists()
    delegation = delegation_request(citizen=siti, officer=officer_jakarta)
    delegation_confirm(delegation=delegation, code=sms_outbox[-1].body.split()[1])
    missing = client.post(f"{API}agency/applications/", payload, content_type="application/json")
    assert missing.status_code == 400 and "family_card_number" in missing.json()
    asked = {
        k: SITI_ANSWERS[k]
        for k in missing.json()
        if k in SITI_ANSWERS  # every asked field is named in the error
    }
    created = client.post(
        f"{API}agency/applications/", payload | {"values": asked}, content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["is_assisted"] and body["status"] == "submitted"
    moved = client.post(
        f"{API}agency/applications/{body['uuid']}/transition/",
        {"status": "completed"},
        content_type="application/json",
    )
    assert moved.status_code == 400 and "status" in moved.json()
    moved = client.post(
        f"{API}agency/applications/{body['uuid']}/transition/",
        {"status": "in_process"},
        content_type="application/json",
    )
    assert moved.json()["status"] == "in_process"
    listing = client.get(f"{API}agency/applications/", {"status": "in_process"}).json()
    assert listing["count"] == 1


def test_the_citizen_tracks_applications_and_managers_list_overdue_ones(
    client, siti, bpjs_service, mall_manager_jakarta, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(datetime(2025, 7, 7, 2, 0, tzinfo=UTC))
    application = submitted(siti, bpjs_service)
    client.force_login(siti.user)
    mine = client.get(f"{API}citizen/me/applications/{application.uuid}/").json()
    assert [e["status"] for e in mine["history"]] == ["draft", "submitted"]
    time_machine.move_to(datetime(2025, 7, 14, 2, 0, tzinfo=UTC))
    client.force_login(mall_manager_jakarta)
    with django_assert_max_num_queries(10):
        body = client.get(f"{API}applications/overdue/", {"mall": "mpp-31"}).json()
    assert [a["reference"] for a in body["results"]] == [application.reference]
    assert client.get(f"{API}applications/overdue/", {"mall": "mpp-6202"}).status_code == 403
