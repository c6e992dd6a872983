"""Context-bound reads: consent is per agency nationwide, but an officer reads a citizen's
data only while serving them — their ticket called at the officer's counter, or an open
application with the officer's agency. Anything else is a break-glass read: it needs a
reason, is flagged in the log, shows in "who saw my data" and in the manager's review."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from mpp.registry.models import Agency, ServiceStandard
from mpp.visits.models import Ticket, TicketStatus

from ..models import AccessRecord, Application, ApplicationStatus, Purpose
from ..services import consent_grant

pytestmark = pytest.mark.security


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.MFA_REQUIRED_ROLES = []  # about reads, not sign-in


@pytest.fixture
def consented(siti):
    consent_grant(
        citizen=siti,
        agency=Agency.objects.get(code="bpjs-kesehatan"),
        purpose=Purpose.SERVICE_DELIVERY,
        categories=["identity", "contact"],
        days=30,
        by=siti.user,
    )
    return siti


def _read(officer, citizen, **extra):
    client = APIClient()
    client.force_authenticate(officer)
    body = {"citizen": str(citizen.uuid), "purpose": "service_delivery", **extra}
    return client.post("/api/v1/agency/citizens/read/", body, format="json").json()


def test_consent_alone_does_not_let_an_officer_read(consented, officer_jakarta):
    answer = _read(officer_jakarta, consented)
    assert not answer["granted"] and answer["refusal"] == "no_context"
    assert answer["values"] == {}
    assert AccessRecord.objects.get().outcome == "refused"


def test_a_called_ticket_at_the_officers_counter_is_a_context(
    consented, officer_jakarta, bpjs_service
):
    now = timezone.now()
    ticket = Ticket.objects.create(
        mall=bpjs_service.mall,
        service=bpjs_service,
        agency=bpjs_service.agency,
        prefix="B",
        number=1,
        local_date=now.date(),
        queued_at=now,
        sort_key=now,
        status=TicketStatus.CALLED,
        officer=officer_jakarta,
        citizen=consented,
    )
    assert _read(officer_jakarta, consented)["granted"]
    ticket.status = TicketStatus.FINISHED
    ticket.save()
    assert not _read(officer_jakarta, consented)["granted"]  # served: the context is over


def test_an_open_application_with_the_agency_is_a_context(consented, officer_jakarta, bpjs_service):
    Application.objects.create(
        citizen=consented,
        service=bpjs_service,
        standard=ServiceStandard.objects.filter(service=bpjs_service).latest("id"),
        mall=bpjs_service.mall,
        agency=bpjs_service.agency,
        status=ApplicationStatus.SUBMITTED,
    )
    assert _read(officer_jakarta, consented)["granted"]


def test_a_break_glass_read_is_flagged_and_shown(
    consented, officer_jakarta, mall_manager_jakarta, client
):
    short = _read(officer_jakarta, consented, break_glass_reason="because")
    assert not short["granted"]
    answer = _read(
        officer_jakarta, consented, break_glass_reason="Warga menelepon, minta cek status BPJS"
    )
    assert answer["granted"] and answer["values"]["full_name"] == "Siti Nurhaliza"
    record = AccessRecord.objects.filter(outcome="granted").get()
    assert record.break_glass_reason == "Warga menelepon, minta cek status BPJS"
    client.force_login(consented.user)
    page = client.get(reverse("citizens:access_log")).content.decode()
    assert "break-glass" in page and "minta cek status BPJS" in page
    client.force_login(mall_manager_jakarta)
    review = client.get(reverse("citizens:break_glass_review", args=["mpp-31"]))
    assert review.status_code == 200
    assert review.content.decode().count('data-testid="break-glass-row"') == 1


def test_the_console_page_asks_a_reason(consented, officer_jakarta, client):
    client.force_login(officer_jakarta)
    url = reverse("citizens:officer_citizen", args=[consented.uuid])
    page = client.get(url).content.decode()
    assert 'name="break_glass"' in page and "Siti Nurhaliza" not in page
    read = client.post(url, {"break_glass": "Warga datang tanpa antrean, darurat"})
    assert "Siti Nurhaliza" in read.content.decode()
