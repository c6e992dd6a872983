"""The pages: every page that shows citizen data logs the read; lists are CSV-exportable;
the application page and "who saw my data" run a bounded number of queries."""

import json

import pytest
from django.urls import reverse

from ..access import citizen_data_read
from ..models import AccessRecord, Application, Purpose
from ..services import consent_grant
from .conftest import NIK_SITI
from .helpers import SITI_ANSWERS, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def siti_client(client, siti):
    client.force_login(siti.user)
    return client


def test_my_data_page_shows_my_nik_and_logs_the_view(siti_client):
    response = siti_client.get(reverse("citizens:home"))
    assert response.status_code == 200
    assert NIK_SITI in response.content.decode() and "Siti Nurhaliza" in response.content.decode()
    assert AccessRecord.objects.get().purpose == "self"


def test_every_page_with_citizen_data_logs_a_read(siti_client, siti, bpjs_service):
    application = submitted(siti, bpjs_service)
    pages = [
        reverse("citizens:home"),
        reverse("citizens:profile_edit"),
        reverse("citizens:application", args=[application.uuid]),
        reverse("citizens:export_json"),
    ]
    for url in pages:
        before = AccessRecord.objects.count()
        assert siti_client.get(url).status_code == 200
        assert AccessRecord.objects.count() == before + 1, url


def test_a_full_nik_never_appears_in_a_url(siti_client, siti, bpjs_service):
    application = submitted(siti, bpjs_service)
    response = siti_client.get(reverse("citizens:application", args=[application.uuid]))
    assert NIK_SITI not in response.request["PATH_INFO"]
    for record in AccessRecord.objects.all():
        assert NIK_SITI not in str(record.reason)


def test_other_roles_cannot_open_citizen_pages(client, officer_jakarta):
    client.force_login(officer_jakarta)
    assert client.get(reverse("citizens:home")).status_code == 403


def test_registration_page_walks_to_the_code_and_logs_in(client, sms_outbox):
    response = client.post(
        reverse("citizens:register"),
        {
            "nik": "3171011203850002",
            "full_name": "Budi Santoso",
            "birth_date": "1985-03-12",
            "phone": "081211112222",
            "username": "budi",
            "password": "kopi-tubruk-2025",
            "agree": "on",
        },
    )
    assert response.status_code == 302
    code = sms_outbox[-1].body.split(":")[1].split()[0]
    response = client.post(response["Location"], {"code": code})
    assert response["Location"] == reverse("citizens:home")
    assert client.get(reverse("citizens:home")).status_code == 200


def test_the_application_flow_prefills_and_tracks(siti_client, siti, bpjs_service):
    url = reverse("citizens:apply_start", args=[bpjs_service.mall.code, bpjs_service.slug])
    response = siti_client.post(url)
    application = Application.objects.get()
    assert response["Location"] == reverse("citizens:application", args=[application.uuid])
    form = siti_client.get(response["Location"])
    assert "Siti Nurhaliza" in form.content.decode()
    data = {k: SITI_ANSWERS[k] for k in application.fields_asked}
    response = siti_client.post(
        response["Location"], data | {"save_to_profile": "on", "agree": "on"}
    )
    assert response.status_code == 302
    page = siti_client.get(response["Location"]).content.decode()
    assert "Diajukan" in page  # "Submitted", in Indonesian


def test_the_application_page_runs_a_bounded_number_of_queries(
    siti_client, siti, bpjs_service, officer_jakarta, django_assert_max_num_queries
):
    from ..services import application_transition

    application = submitted(siti, bpjs_service)
    for status in ("in_process", "needs_data", "in_process", "needs_data", "in_process"):
        application_transition(
            application=application, to_status=status, by=officer_jakarta, note="x"
        )
    with django_assert_max_num_queries(16):
        siti_client.get(reverse("citizens:application", args=[application.uuid]))


def test_who_saw_my_data_lists_others_reads_with_bounded_queries(
    siti_client, siti, officer_jakarta, django_assert_max_num_queries
):
    consent_grant(
        citizen=siti,
        agency=officer_jakarta.posting.agency,
        purpose=Purpose.SERVICE_DELIVERY,
        categories=["identity"],
        days=10,
        by=siti.user,
    )
    for _ in range(30):
        citizen_data_read(citizen=siti, actor=officer_jakarta, purpose="service_delivery")
    citizen_data_read(citizen=siti, actor=siti.user, purpose="self")
    with django_assert_max_num_queries(8):
        response = siti_client.get(reverse("citizens:access_log"))
    assert len(response.context["page"]) == 30  # my own view is hidden by default
    assert "BPJS Kesehatan" in response.content.decode()
    csv = siti_client.get(reverse("citizens:access_log"), {"format": "csv", "mine": "on"})
    assert len(csv.content.decode().strip().splitlines()) == 1 + 31


def test_consents_are_granted_and_withdrawn_from_the_page(siti_client, siti):
    from mpp.registry.models import Agency

    agency = Agency.objects.get(code="djp")
    response = siti_client.post(
        reverse("citizens:consents"),
        {"agency": agency.pk, "purpose": "prefill", "categories": ["identity"], "days": 30},
    )
    assert response.status_code == 302
    consent = siti.consents.get()
    siti_client.post(reverse("citizens:consent_revoke", args=[consent.uuid]))
    consent.refresh_from_db()
    assert consent.revoked_at is not None


def test_export_json_and_pdf_download(siti_client):
    data = json.loads(siti_client.get(reverse("citizens:export_json")).content)
    assert data["profile"]["nik"] == NIK_SITI
    pdf = siti_client.get(reverse("citizens:export_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_erasure_from_the_page_logs_out(siti_client, siti):
    assert siti_client.post(reverse("citizens:erase"), {"confirm": "salah"}).status_code == 200
    response = siti_client.post(reverse("citizens:erase"), {"confirm": "hapus"})
    assert response.status_code == 302
    siti.refresh_from_db()
    assert siti.is_erased


def test_the_officer_looks_up_by_nik_in_the_body_and_sees_only_consented_fields(
    client, siti, officer_jakarta
):
    client.force_login(officer_jakarta)
    response = client.post(
        reverse("citizens:officer_home"), {"nik": NIK_SITI, "purpose": "service_delivery"}
    )
    assert NIK_SITI not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "S*** N***" in page and "Siti Nurhaliza" not in page
    assert AccessRecord.objects.get().outcome == "refused"


def test_the_officer_processes_an_application_and_managers_see_overdue_ones(
    client, siti, bpjs_service, officer_jakarta, mall_manager_jakarta, time_machine
):
    from datetime import UTC, datetime

    time_machine.move_to(datetime(2025, 7, 7, 2, 0, tzinfo=UTC))
    application = submitted(siti, bpjs_service)
    client.force_login(officer_jakarta)
    listing = client.get(reverse("citizens:officer_applications"))
    assert application.reference in listing.content.decode()
    url = reverse("citizens:officer_application", args=[application.uuid])
    page = client.get(url).content.decode()
    assert SITI_ANSWERS["family_card_number"] in page  # consented by submitting
    assert client.post(url, {"status": "in_process", "note": ""}).status_code == 302
    time_machine.move_to(datetime(2025, 7, 14, 2, 0, tzinfo=UTC))
    client.force_login(mall_manager_jakarta)
    overdue = client.get(reverse("citizens:overdue", args=["mpp-31"]))
    assert application.reference in overdue.content.decode()
    csv = client.get(reverse("citizens:overdue", args=["mpp-31"]), {"format": "csv"})
    assert "yes" in csv.content.decode()
    assert client.get(reverse("citizens:overdue", args=["mpp-6202"])).status_code == 403


def test_the_officer_opens_a_consented_document_and_marks_it_verified(
    client, siti, officer_jakarta
):
    from ..models import Document
    from ..services import document_upload
    from .conftest import scan_pdf

    pdf = scan_pdf("KK scan")
    document = document_upload(citizen=siti, doc_type="kk", content=pdf, by=siti.user)
    client.force_login(officer_jakarta)
    page_url = reverse("citizens:officer_citizen", args=[siti.uuid])
    file_url = reverse("citizens:officer_document", args=[siti.uuid, document.uuid])
    verify_url = reverse("citizens:officer_document_verify", args=[siti.uuid, document.uuid])
    # Without consent to documents: no list, no file, no verifying; every try logged.
    assert file_url not in client.get(page_url).content.decode()
    assert client.get(file_url).status_code == 403
    assert client.post(verify_url, {"purpose": "service_delivery"}).status_code == 403
    assert Document.objects.get().status == "self_declared"
    refused = AccessRecord.objects.filter(outcome="refused").count()
    assert refused == 3
    consent_grant(
        citizen=siti,
        agency=officer_jakarta.posting.agency,
        purpose=Purpose.SERVICE_DELIVERY,
        categories=["documents"],
        days=10,
        by=siti.user,
    )
    html = client.get(page_url).content.decode()
    assert file_url in html and verify_url in html
    response = client.get(file_url)
    assert response.content == pdf and response["Cache-Control"] == "no-store"
    response = client.post(verify_url, {"purpose": "service_delivery"})
    assert response.status_code == 302 and response["Location"].startswith(page_url)
    document.refresh_from_db()
    assert document.status == "verified" and document.verified_by == officer_jakarta
    assert document.verified_agency == officer_jakarta.posting.agency
    granted = AccessRecord.objects.filter(outcome="granted", channel="counter")
    assert granted.count() == 3  # the page, the file, the verification
    assert verify_url not in client.get(page_url).content.decode()  # already verified
