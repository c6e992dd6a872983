"""Every page a role uses answers as it should under the production configuration; static
files are compressed with hashed names; the API schema loads; the weekly report renders as
a PDF; health, readiness and metrics answer."""

import re

import pytest

from mpp.monitoring.weeks import IsoWeek

from .conftest import Web, production_only, staff_login

pytestmark = production_only

WEEK = str(IsoWeek.last_complete())
LOGIN = "/accounts/login/?next="

# (path, status or statuses, where a redirect must lead) per persona; None = signed out.
PAGES = {
    None: [
        ("/", 302, "/malls/"),
        ("/malls/", 200, None),
        ("/malls/mpp-6202/", 200, None),
        ("/malls/mpp-6202/services/ktp-el/", 200, None),
        ("/queue/mpp-6202/book/", 200, None),
        ("/queue/device/", 200, None),
        ("/queue/mpp-6202/kiosk/", 302, "/queue/device/"),
        ("/queue/mpp-6202/board/", 302, "/queue/device/"),
        ("/quality/ikm/", 200, None),
        ("/quality/scorecards/", 200, None),
        ("/quality/mpp-6202/", 200, None),
        ("/quality/mpp-6202/survey/", 200, None),
        ("/quality/mpp-6202/complaint/", 200, None),
        ("/quality/complaints/track/", 200, None),
        ("/monitoring/open-data/", 200, None),
        ("/citizen/register/", 200, None),
        ("/accounts/login/", 200, None),
        ("/accounts/password-reset/", 200, None),
        ("/api/docs/", 200, None),
        ("/monitoring/", 302, LOGIN + "/monitoring/"),
        ("/queue/console/", 302, LOGIN + "/queue/console/"),
        ("/citizen/", 302, LOGIN + "/citizen/"),
        ("/manage/", 302, LOGIN + "/manage/"),
        ("/admin/", 302, "/admin/login/?next=/admin/"),
    ],
    "warga": [
        ("/accounts/start/", 302, "/citizen/"),
        ("/citizen/", 200, None),
        ("/citizen/profile/", 200, None),
        ("/citizen/consents/", 200, None),
        ("/citizen/access-log/", 200, None),
        ("/citizen/applications/", 200, None),
        ("/citizen/face/", 200, None),
        ("/citizen/apply/mpp-6202/", 200, None),
        ("/citizen/export.json", 200, None),
        ("/monitoring/", 403, None),
        ("/queue/console/", 403, None),
    ],
    "petugas.sampit": [
        ("/accounts/start/", 302, "/queue/console/"),
        # The counter list, or straight to the counter the officer has open.
        ("/queue/console/", {200, 302}, re.compile(r"/queue/console/\d+/")),
        ("/queue/mpp-6202/today/", 200, None),
        ("/citizen/officer/", 200, None),
        ("/citizen/officer/applications/", 200, None),
        ("/monitoring/", 403, None),
    ],
    "manajer.sampit": [
        ("/accounts/start/", 302, "/manage/"),
        ("/manage/", 302, "/manage/mpp-6202/"),
        ("/manage/mpp-6202/", 200, None),
        ("/manage/mpp-6202/edit/", 200, None),
        ("/manage/mpp-6202/hours/", 200, None),
        ("/manage/mpp-6202/services/new/", 200, None),
        ("/manage/mpp-6202/counters/new/", 200, None),
        ("/queue/mpp-6202/devices/", 200, None),
        ("/queue/mpp-6202/today/", 200, None),
        ("/quality/manage/mpp-6202/complaints/", 200, None),
        ("/quality/manage/mpp-6202/responses/", 200, None),
        ("/quality/manage/mpp-6202/compliance/", 200, None),
        ("/citizen/manage/mpp-6202/overdue/", 200, None),
        ("/monitoring/tokens/mpp-6202/", 200, None),
        ("/monitoring/upload/", 200, None),
        ("/manage/mpp-31/", 403, None),  # another mall's manager page
    ],
    "analis": [
        ("/accounts/start/", 302, "/monitoring/"),
        ("/monitoring/", 302, f"/monitoring/weeks/{WEEK}/"),
        (f"/monitoring/weeks/{WEEK}/", 200, None),
        (f"/monitoring/weeks/{WEEK}/map/", 200, None),
        (f"/monitoring/weeks/{WEEK}/provinces/62/", 200, None),
        (f"/monitoring/weeks/{WEEK}/malls/mpp-6202/", 200, None),
        ("/monitoring/subscription/", 200, None),
        ("/quality/report/", 200, None),
    ],
    "admin": [
        ("/admin/", 200, None),
        ("/admin/registry/mall/", 200, None),
    ],
}


@pytest.fixture(scope="module")
def personas() -> dict:
    return {name: (Web() if name is None else staff_login(name)) for name in PAGES}


@pytest.mark.parametrize(
    ("persona", "path", "status", "location"),
    [(persona, *page) for persona, pages in PAGES.items() for page in pages],
    ids=lambda value: str(value) if value is not None else "-",
)
def test_each_page_a_role_uses_answers(personas, persona, path, status, location):
    response = personas[persona].get(path)
    allowed = status if isinstance(status, set) else {status}
    assert response.status_code in allowed, f"{path} as {persona}: {response.status_code}"
    if response.status_code == 302 and isinstance(location, re.Pattern):
        assert location.fullmatch(response.headers["Location"])
    elif response.status_code == 302 and location:
        assert response.headers["Location"] == location
    if response.status_code == 200 and response.headers["Content-Type"].startswith("text/html"):
        assert "<html" in response.text


def test_responses_carry_the_strict_security_headers(personas):
    response = personas[None].get("/malls/")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_static_files_are_hashed_compressed_and_cached_for_ever(personas):
    page = personas[None].get("/malls/").text
    names = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert names, "the page links no static file"
    css = next(n for n in names if n.endswith(".css"))
    assert re.search(r"\.[0-9a-f]{12}\.css$", css), css
    for encoding in ("br", "gzip"):
        response = personas[None].get(css, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert "immutable" in response.headers["Cache-Control"]
    chart = personas["analis"].get(f"/monitoring/weeks/{WEEK}/").text
    script = re.search(r'src="(/static/vendor/chartjs/chart\.umd\.min\.[0-9a-f]{12}\.js)"', chart)
    assert script, "the dashboard does not load the hashed Chart.js"
    body = personas[None].get(script.group(1)).text
    source_map = re.search(r"sourceMappingURL=(\S+)", body).group(1)
    assert re.fullmatch(r"chart\.umd\.min\.js\.[0-9a-f]{12}\.map", source_map)
    assert personas[None].get(f"/static/vendor/chartjs/{source_map}").status_code == 200


def test_the_api_schema_and_an_api_list_load(personas):
    schema = personas[None].get("/api/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    assert "/api/v1/malls/" in schema.text
    malls = personas[None].get("/api/v1/malls/?province=62")
    assert malls.status_code == 200
    assert any(m["code"] == "mpp-6202" for m in malls.json()["results"])


def test_the_weekly_report_renders_as_pdf_and_spreadsheet(personas):
    pdf = personas["analis"].get(f"/monitoring/weeks/{WEEK}/report.pdf")
    assert pdf.status_code == 200, pdf.text[:500]
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content[:4] == b"%PDF" and len(pdf.content) > 5_000
    xlsx = personas["analis"].get(f"/monitoring/weeks/{WEEK}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_liveness_readiness_and_metrics(personas):
    assert personas[None].get("/healthz").json() == {"status": "ok"}
    ready = personas[None].get("/readyz")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) >= {"database", "migrations", "workers", "outbox"}
    metrics = personas[None].get("/metrics")  # the CI server allows loopback without a token
    assert metrics.status_code == 200
    assert "mpp_worker_heartbeat_age_seconds" in metrics.text
    proxied = personas[None].get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert proxied.status_code == 403
