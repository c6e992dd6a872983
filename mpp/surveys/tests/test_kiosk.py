"""Kiosk devices: the large-type complaint form, the kiosk's mall recorded on surveys and
complaints, and the per-address limit on anonymous posts."""

import pytest
from django.urls import reverse

from mpp.surveys.models import Complaint, ComplaintChannel, SurveyChannel, SurveyResponse
from mpp.visits.devices import SESSION_KEY, device_issue

from .conftest import GOOD

COMPLAINT = {"category": "time", "description": "Antrean sangat lama hari ini."}


@pytest.fixture
def kiosk(quality, mall_manager_sampit):
    device, token = device_issue(
        mall=quality.mall, kind="kiosk", name="Pintu keluar", by=mall_manager_sampit
    )
    device.token = token
    return device


def on_kiosk(client, device):
    session = client.session
    session[SESSION_KEY] = device.pk
    session.save()
    return client


def test_kiosk_complaint_form_is_large_type_and_records_the_kiosk(client, quality, kiosk):
    on_kiosk(client, kiosk)
    url = reverse("surveys:complaint_new", args=[quality.mall.code])
    page = client.get(url)
    assert "kiosk-large" in page.text and "lapor_number" not in page.text
    response = client.post(url, {**COMPLAINT, "service": quality.skck.pk})
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.device, complaint.mall) == (
        ComplaintChannel.KIOSK,
        kiosk,
        quality.mall,
    )
    assert response.status_code == 302 and response.url.endswith("?kiosk=1")
    done = client.get(response.url)
    assert "tracking-code" in done.text and complaint.tracking_code in done.text
    assert "Pengaduan Anda telah diterima" in done.text


def test_kiosk_form_without_a_category_names_the_field(client, quality):
    url = reverse("surveys:complaint_new", args=[quality.mall.code]) + "?kiosk=1"
    page = client.post(url, {"description": "Antrean sangat lama hari ini."})
    assert page.status_code == 200 and not Complaint.objects.exists()
    assert "Pilih hal yang diadukan." in page.text


def test_a_kiosk_survey_records_the_kiosk_and_its_mall(client, quality, kiosk):
    on_kiosk(client, kiosk)
    url = reverse("surveys:mall_service_survey", args=[quality.mall.code, quality.ktp.slug])
    assert client.post(url, GOOD).status_code == 302
    response = SurveyResponse.objects.get()
    assert (response.device, response.mall, response.channel) == (
        kiosk,
        quality.mall,
        SurveyChannel.KIOSK,
    )


def test_a_kiosk_of_another_mall_is_refused(client, quality, mall_jakarta, mall_manager_jakarta):
    other, _token = device_issue(
        mall=mall_jakarta, kind="kiosk", name="Lobi", by=mall_manager_jakarta
    )
    on_kiosk(client, other)
    url = reverse("surveys:mall_service_survey", args=[quality.mall.code, quality.ktp.slug])
    page = client.post(url, GOOD)
    assert page.status_code == 200 and not SurveyResponse.objects.exists()
    assert "Kios ini milik mal lain." in page.text


def test_anonymous_posts_are_limited_per_address(client, quality, kiosk, settings):
    settings.SURVEYS_COMPLAINT_POSTS_PER_HOUR = 2
    url = reverse("surveys:complaint_new", args=[quality.mall.code])
    for _ in range(2):
        assert client.post(url, COMPLAINT, REMOTE_ADDR="10.0.0.5").status_code == 302
    blocked = client.post(url, COMPLAINT, REMOTE_ADDR="10.0.0.5")
    assert blocked.status_code == 429 and "Terlalu banyak" in blocked.text
    assert Complaint.objects.count() == 2
    # Another address, and a kiosk device behind the same address, are not blocked.
    assert client.post(url, COMPLAINT, REMOTE_ADDR="10.0.0.6").status_code == 302
    on_kiosk(client, kiosk)
    assert client.post(url, COMPLAINT, REMOTE_ADDR="10.0.0.5").status_code == 302
    assert Complaint.objects.count() == 4


def test_api_kiosk_device_posts_for_its_own_mall_and_anonymous_ones_are_limited(
    client, quality, kiosk, settings
):
    settings.SURVEYS_SURVEY_POSTS_PER_HOUR = 1
    api = reverse("api-quality-response-create")
    body = {"service": quality.ktp.pk, "scores": GOOD}
    auth = {"HTTP_AUTHORIZATION": f"Device {kiosk.token}"}
    for _ in range(2):  # the device is not limited and needs no mall code
        created = client.post(api, body, content_type="application/json", **auth)
        assert created.status_code == 201, created.content
        assert created.json()["mall"] == quality.mall.code
    assert SurveyResponse.objects.filter(device=kiosk, channel="kiosk").count() == 2
    anonymous = {**body, "mall": quality.mall.code}
    assert client.post(api, anonymous, content_type="application/json").status_code == 201
    assert client.post(api, anonymous, content_type="application/json").status_code == 429
    complaint = client.post(
        reverse("api-quality-complaint-create"), COMPLAINT, content_type="application/json", **auth
    )
    assert complaint.status_code == 201
    assert Complaint.objects.get().device == kiosk
