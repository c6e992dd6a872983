"""An analyst opens the national dashboard, looks at the map and downloads the PDF."""

import pytest
from playwright.sync_api import expect

from mpp.monitoring.tests.conftest import fake_rollups
from mpp.monitoring.weeks import IsoWeek

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_an_analyst_opens_the_national_dashboard_and_downloads_the_pdf(page, demo_data):
    week = IsoWeek.last_complete()
    days = week.previous().days() + week.days()
    fake_rollups(["mpp-31", "mpp-6202", "mpp-7371", "mpp-9171"], days, lambda i, code: 20 + 7 * i)

    page.goto("/accounts/login/?next=/monitoring/")
    page.get_by_label("Nama pengguna").fill("analis")
    page.get_by_label("Sandi").fill("mpp-demo-2026")
    page.get_by_role("button", name="Masuk").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pemantauan nasional: laporan mingguan"
    )
    expect(page.locator("#top20 + table")).to_contain_text("Kota Jayapura")
    expect(page.locator("#no-data")).to_contain_text("Mal tanpa data")
    page.wait_for_function("document.querySelectorAll('canvas').length === 3")
    page.wait_for_function(
        "typeof Chart !== 'undefined' && Object.keys(Chart.instances).length === 3"
    )
    screenshot(page, "monitoring-national")

    # The PDF is laid out on the server (seconds on a busy machine): wait for the file
    # itself, however long the layout takes, up to a generous bound.
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_role("link", name="PDF untuk Menteri").click()
    download = download_info.value
    assert download.suggested_filename == f"laporan-mingguan-mpp-{week}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    page.get_by_role("link", name="Peta").click()
    expect(page.locator("svg.mpp-map path")).to_have_count(514)
    expect(page.locator('svg.mpp-map circle.mall[data-code="mpp-9171"]')).to_have_count(1)
    screenshot(page, "monitoring-map")
