import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from mpp.registry.models import Mall
from mpp.visits.models import Device

from ..maps import map_layers
from ..models import ReportedDailyCount, ReportSubscription
from ..report import weekly_report_build
from ..weeks import IsoWeek
from .conftest import fake_rollups, local, make_ticket, service_for

pytestmark = pytest.mark.django_db

WEEK = IsoWeek(2025, 23)
BASE = reverse("monitoring:national", args=["2025-W23"])


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2025, 6, 10, 9, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False):
        yield


@pytest.fixture
def data():
    codes = ["mpp-31", "mpp-6202", "mpp-7371", "mpp-9171"]
    fake_rollups(codes, WEEK.previous().days() + WEEK.days(), lambda i, c: 4 + 3 * i)


def test_the_national_dashboard_shows_every_section_to_analysts(
    client, ministry_analyst, data, django_assert_max_num_queries
):
    client.force_login(ministry_analyst)
    client.get(BASE)  # the first view summarises the closed days it shows
    with django_assert_max_num_queries(24):  # 14 for visits, 10 for service quality
        response = client.get(BASE)
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in [
        'id="totals"',
        'id="quality"',
        'id="lowest"',
        'id="highest"',
        'id="top20"',
        'id="new"',
        'id="quiet"',
        'id="no-data"',
        'id="provinces"',
        'id="trend-data"',
    ]:
        assert anchor in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert (
        response.context["chart"]["trend"]["values"][-2:] == [7 * 4 + 7 * 7 + 7 * 10 + 7 * 13] * 2
    )


def test_monitoring_pages_refuse_managers_and_send_visitors_to_log_in(client, mall_manager_sampit):
    assert client.get(BASE).status_code == 302
    client.force_login(mall_manager_sampit)
    assert client.get(BASE).status_code == 403
    assert client.get(BASE + "report.pdf").status_code == 403
    assert client.get(BASE + "map/").status_code == 403


def test_the_home_page_opens_the_week_just_ended(client, ministry_analyst):
    client.force_login(ministry_analyst)
    assert client.get(reverse("monitoring:home")).url == BASE
    assert client.get(BASE, {"week": "2025-W20"}).url == "/monitoring/weeks/2025-W20/"
    assert client.get(reverse("monitoring:national", args=["2025-W99"])).status_code == 404


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("pdf", "application/pdf", b"%PDF"),
        ("xlsx", "application/vnd.openxml", b"PK"),
        ("csv", "text/csv", b"Minggu,Peringkat"),
        ("csv?lang=en", "text/csv", b"Week,Rank"),
        ("data.csv", "text/csv", b"week,rank"),
        ("json", "application/json", b"{"),
    ],
)
def test_exports_download(client, ministry_analyst, data, fmt, content_type, magic):
    client.force_login(ministry_analyst)
    response = client.get(f"{BASE}report.{fmt}")
    assert response["Content-Type"].startswith(content_type)
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(magic)


def test_the_map_shades_regions_and_marks_malls_without_data(client, ministry_analyst, data):
    client.force_login(ministry_analyst)
    html = client.get(BASE + "map/").content.decode()
    assert html.count("<path ") == 514
    assert 'class="mall no_data"' in html and 'data-code="mpp-6202"' in html
    layers = map_layers(weekly_report_build(week=WEEK))
    assert layers["fills"]["62.02"][1]["code"] == "mpp-6202"
    assert layers["fills"]["31.71"][1]["code"] == "mpp-31"  # Jakarta's mall covers the province
    assert layers["fills"]["11.04"][0] == "#fde0c5"  # Aceh Tengah: a mall without data


def test_the_boundaries_file_is_small_and_keeps_its_licence():
    from ..maps import BOUNDARIES

    assert BOUNDARIES.stat().st_size < 400_000
    assert "MIT" in (BOUNDARIES.parent / "LICENSE-wilayah_boundaries.txt").read_text()


def test_the_province_page_lists_its_malls(client, ministry_analyst, data):
    client.force_login(ministry_analyst)
    response = client.get(BASE + "provinces/73/")
    assert [m["code"] for m in response.context["malls"]][0] == "mpp-7371"
    assert response.context["summary"]["visits"] == 7 * 10
    csv_text = client.get(BASE + "provinces/73/", {"format": "data.csv"}).content.decode()
    header, *rows = csv_text.splitlines()
    assert header.startswith("week,rank,") and "ikm" in header.split(",")
    people = client.get(BASE + "provinces/73/", {"format": "csv"}).content.decode()
    assert people.startswith("Minggu,Peringkat,")
    assert rows and all(",73." in row or ",73," in row for row in rows)


def test_the_mall_drilldown_shows_days_hours_and_services(
    client, mall_manager_sampit, mall_manager_jakarta
):
    sampit = Mall.objects.get(code="mpp-6202")
    service = service_for(sampit)
    for hour in (8, 8, 10):
        make_ticket(service, local(sampit, WEEK.monday, hour))
    from mpp.visits.rollups import rollups_rebuild

    rollups_rebuild()
    client.force_login(mall_manager_sampit)
    response = client.get(BASE + "malls/mpp-6202/")
    drill = response.context["drill"]
    assert drill["daily"][0][1] == 3
    assert dict(drill["hourly"])[8] == 2 and dict(drill["hourly"])[10] == 1
    assert drill["services"][0]["issued"] == 3
    exported = client.get(BASE + "malls/mpp-6202/", {"format": "csv"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["service"], r["issued"], r["served"]) for r in rows] == [("KTP-EL", "3", "3")]
    client.force_login(mall_manager_jakarta)
    assert client.get(BASE + "malls/mpp-6202/").status_code == 403
    assert client.get(BASE + "malls/mpp-6202/", {"format": "csv"}).status_code == 403


def test_open_data_is_public_and_downloads_as_csv(client, data):
    assert client.get(reverse("monitoring:open_data")).status_code == 200
    response = client.get(reverse("monitoring:open_data_file", args=["2025-W23", "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert next(r for r in rows if r["code"] == "mpp-6202")["visits"] == str(7 * 7)
    assert "status" not in rows[0]


def xlsx_file(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["mall", "date", "service", "agency", "issued", "served", "no_shows"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("counts.xlsx", out.getvalue())


def test_an_upload_is_previewed_then_stored_all_at_once(client, mall_manager_sampit, mall_sampit):
    service_for(mall_sampit)
    client.force_login(mall_manager_sampit)
    rows = [["mpp-6202", f"2025-06-0{d}", "ktp-el", "", 10 + d, 8, 1] for d in range(1, 8)]
    response = client.post(reverse("monitoring:upload"), {"file": xlsx_file(rows)})
    assert response.status_code == 200 and response.context["total"] == 7
    assert ReportedDailyCount.objects.count() == 0
    client.post(reverse("monitoring:upload_commit", args=[response.context["pending"].pk]))
    assert ReportedDailyCount.objects.count() == 7
    assert (
        client.post(
            reverse("monitoring:upload_commit", args=[response.context["pending"].pk])
        ).status_code
        == 400
    )


def test_one_bad_row_in_a_large_upload_stores_nothing_and_names_the_row(
    client, mall_manager_sampit, mall_sampit
):
    service_for(mall_sampit)
    client.force_login(mall_manager_sampit)
    lines = ["mall,date,service,agency,issued,served,no_shows"]
    for i in range(3000):
        day = date(2017, 1, 1) + timedelta(days=i)
        served = -3 if i == 1234 else 3
        lines.append(f"mpp-6202,{day},ktp-el,,{5 + i % 3},{served},1")
    body = "\n".join(lines)
    response = client.post(
        reverse("monitoring:upload"), {"file": SimpleUploadedFile("c.csv", body.encode())}
    )
    assert response.status_code == 400
    errors = response.context["errors"]
    assert [(e.row, e.field, e.message) for e in errors] == [
        (1236, "served", "tidak boleh negatif")
    ]
    assert ReportedDailyCount.objects.count() == 0


def test_a_manager_may_not_upload_for_another_mall(client, mall_manager_sampit, mall_jakarta):
    service_for(mall_jakarta)
    client.force_login(mall_manager_sampit)
    file = SimpleUploadedFile(
        "c.csv", b"mall,date,service,issued,served,no_shows\nmpp-31,2025-06-01,ktp-el,1,1,0\n"
    )
    response = client.post(reverse("monitoring:upload"), {"file": file})
    assert response.status_code == 400 and response.context["errors"][0].field == "mall"


def test_a_manager_issues_and_revokes_a_system_token(
    client, mall_manager_sampit, mall_manager_jakarta
):
    client.force_login(mall_manager_sampit)
    response = client.post(reverse("monitoring:tokens", args=["mpp-6202"]), {"name": "SIMPEL"})
    token = response.context["new_token"]
    assert token and token in response.content.decode()
    device = Device.objects.get()
    assert device.kind == "system" and token not in device.token_hash
    assert token not in client.get(reverse("monitoring:tokens", args=["mpp-6202"])).content.decode()
    client.post(reverse("monitoring:tokens", args=["mpp-6202"]), {"revoke": device.pk})
    device.refresh_from_db()
    assert device.revoked_at is not None
    client.force_login(mall_manager_jakarta)
    assert client.get(reverse("monitoring:tokens", args=["mpp-6202"])).status_code == 403


def test_an_analyst_subscribes_and_unsubscribes(client, ministry_analyst):
    client.force_login(ministry_analyst)
    client.post(reverse("monitoring:subscription"), {"active": "1", "next": BASE})
    assert ReportSubscription.objects.get(user=ministry_analyst).is_active
    response = client.post(
        reverse("monitoring:subscription"), {"active": "0", "next": "https://evil.example/"}
    )
    assert response.url == "/monitoring/"
    assert not ReportSubscription.objects.get(user=ministry_analyst).is_active


def test_an_analyst_sees_their_subscription_and_the_weeks_sent(client, ministry_analyst):
    from ..models import DeliveryStatus, ReportDelivery

    client.force_login(ministry_analyst)
    html = client.get(reverse("monitoring:subscription")).content.decode()
    assert "Anda tidak menerima laporan mingguan" in html
    client.post(
        reverse("monitoring:subscription"), {"active": "1", "next": "/monitoring/subscription/"}
    )
    subscription = ReportSubscription.objects.get(user=ministry_analyst)
    ReportDelivery.objects.create(subscription=subscription, week="2025-W22", status="sent")
    ReportDelivery.objects.create(
        subscription=subscription, week="2025-W23", status=DeliveryStatus.FAILED
    )
    html = client.get("/monitoring/subscription/?status=sent").content.decode()
    assert "2025-W22" in html and "2025-W23" not in html
    csv_text = client.get("/monitoring/subscription/?format=csv").content.decode()
    assert csv_text.splitlines()[0] == "week,status,claimed_at,sent_at,attempts"
    assert len(csv_text.splitlines()) == 3


def test_the_admin_lists_reported_counts_read_only(admin_client, mall_sampit):

    ReportedDailyCount.objects.create(
        mall=mall_sampit, local_date=date(2025, 6, 3), source="counts", subject_key="service:x"
    )
    assert admin_client.get("/admin/monitoring/reporteddailycount/").status_code == 200
    assert admin_client.get("/admin/monitoring/visitevent/").status_code == 200
    assert admin_client.get("/admin/monitoring/reportsubscription/").status_code == 200
    assert admin_client.get("/admin/monitoring/reporteddailycount/add/").status_code == 403


def test_the_mall_page_reads_a_closed_days_hours_from_its_summary_not_the_tickets(
    client, mall_manager_sampit
):
    from mpp.visits.models import Ticket
    from mpp.visits.rollups import rollups_rebuild

    from ..models import MallDayHours

    sampit = Mall.objects.get(code="mpp-6202")
    service = service_for(sampit)
    for hour in (9, 9, 13):
        make_ticket(service, local(sampit, WEEK.monday, hour))
    rollups_rebuild()
    client.force_login(mall_manager_sampit)
    first = client.get(BASE + "malls/mpp-6202/").context["drill"]
    assert MallDayHours.objects.filter(mall=sampit).count() == 7
    Ticket.objects.filter(mall=sampit).delete()  # the raw rows are no longer read
    again = client.get(BASE + "malls/mpp-6202/").context["drill"]
    assert again["hourly"] == first["hourly"] and dict(again["hourly"])[9] == 2
    assert again["daily"][0][1] == 3


def test_the_mall_page_shows_a_year_of_weeks_and_its_peer_group(client, mall_manager_sampit, data):
    client.force_login(mall_manager_sampit)
    response = client.get(BASE + "malls/mpp-6202/")
    trend = response.context["chart"]["trend"]
    assert len(trend["labels"]) == 52 and trend["labels"][-1] == str(WEEK)
    peers = response.context["peers"]
    assert peers["entry"]["code"] == "mpp-6202"
    assert peers["entry"]["peer_malls"] == len(peers["malls"])
    assert any(m["code"] == "mpp-6202" for m in peers["malls"])
    assert 'data-testid="peers"' in response.content.decode()
