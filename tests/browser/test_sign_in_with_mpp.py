"""Sign-in with MPP, the whole flow in a browser: the demo agency system (examples/
demo_agency, on port 8181) sends the citizen to MPP, who signs in, sees the consent screen,
shares some field groups and refuses one; the agency's page shows exactly those fields, and
the citizen's "who saw my data" shows the agency's read. Signing out of MPP then ends the
agency's session too (a back-channel logout token, posted by the outbox)."""

import threading
from datetime import date
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from playwright.sync_api import expect

from conftest import make_user
from examples.demo_agency.app import DemoAgency
from mpp.accounts.models import Role
from mpp.citizens import access
from mpp.citizens.services import citizen_create
from mpp.identity.backchannel import HttpSender, logout_notices_send
from mpp.identity.services import agency_client_register
from mpp.registry.models import Agency

from .conftest import screenshot

pytestmark = pytest.mark.browser
AGENCY_PORT = 8181


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def demo_agency(live_server, demo_data):
    client, secret = agency_client_register(
        agency=Agency.objects.get(code="bpjs-kesehatan"),
        display_name="Sistem BPJS Kesehatan",
        redirect_uris=[f"http://127.0.0.1:{AGENCY_PORT}/callback"],
        scopes=["identity", "address", "contact", "nik"],
        confidential=True,
        purpose_text="Pendaftaran peserta JKN",
        backchannel_logout_uri=f"http://127.0.0.1:{AGENCY_PORT}/backchannel-logout",
        by=None,
    )
    app = DemoAgency(
        issuer=f"{live_server.url}/oidc",
        client_id=client.application.client_id,
        client_secret=secret,
        base_url=f"http://127.0.0.1:{AGENCY_PORT}",
        scope="openid identity address contact",
    )
    server = make_server("127.0.0.1", AGENCY_PORT, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    server.server_close()


@pytest.fixture
def dewi(demo_data):
    user = make_user("dewi", Role.CITIZEN)
    person = citizen_create(
        nik="3171014505900001",
        full_name="Dewi Lestari",
        birth_date=date(1990, 5, 5),
        phone="081234567890",
        user=user,
    )
    access.profile_write(citizen=person, changes={"address": "Jl. Kenanga 7"})
    person.save()
    return person


def test_a_citizen_signs_in_to_an_agency_with_mpp_and_sees_the_read_in_the_log(
    page, demo_agency, dewi
):
    page.goto(f"http://127.0.0.1:{AGENCY_PORT}/")
    page.get_by_role("link", name="Masuk dengan MPP").click()
    # MPP's own sign-in first.
    page.locator("input[name=username]").fill("dewi")
    page.locator("input[name=password]").fill("s3cret-pass-123")
    page.get_by_role("button", name="Masuk", exact=True).click()
    # The consent screen: agency, purpose, one box per field group.
    expect(page.get_by_role("heading", name="Sistem BPJS Kesehatan")).to_be_visible()
    expect(page.get_by_text("Pendaftaran peserta JKN")).to_be_visible()
    screenshot(page, "sign-in-consent")
    page.locator("input[name=granted][value=contact]").uncheck()  # refuse phone and e-mail
    page.get_by_role("button", name="Izinkan dan lanjutkan").click()
    # Back at the agency: exactly the shared fields.
    released = page.locator("#released")
    expect(released).to_contain_text("Dewi Lestari")
    expect(released).to_contain_text("Jl. Kenanga 7")
    expect(released).not_to_contain_text("081234567890")
    expect(released).not_to_contain_text("+6281234567890")
    expect(released).not_to_contain_text("3171014505900001")
    expect(page.locator("#acr")).to_have_text("urn:mpp:acr:password")
    screenshot(page, "sign-in-agency-page")
    # The citizen sees the read in "who saw my data".
    page.goto("/citizen/access-log/")
    expect(page.get_by_text("Sistem BPJS Kesehatan").first).to_be_visible()
    # Signing out of MPP: the worker posts the logout token, the agency ends its session.
    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page.locator("form[action='/accounts/logout/']")).to_have_count(0)
    assert logout_notices_send(sender=HttpSender())["sent"] == 1
    page.goto(f"http://127.0.0.1:{AGENCY_PORT}/")
    expect(page.get_by_role("link", name="Masuk dengan MPP")).to_be_visible()
    expect(page.locator("#signed-in")).to_have_count(0)
