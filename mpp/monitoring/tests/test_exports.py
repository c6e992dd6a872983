import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from mpp.registry.models import Mall

from ..exports import report_csv, report_csv_data, report_pdf_html, report_xlsx
from ..report import weekly_report_build
from ..weeks import IsoWeek
from .conftest import fake_rollups

pytestmark = pytest.mark.django_db

WEEK = IsoWeek(2025, 23)


@pytest.fixture
def report():
    codes = list(Mall.objects.order_by("code").values_list("code", flat=True)[:30])
    days = [WEEK.monday - timedelta(days=i) for i in range(-6, 14)]
    fake_rollups(codes, days, lambda index, code: 5 + index)
    return weekly_report_build(week=WEEK)


def test_the_data_csv_has_one_row_per_mall_with_stable_machine_columns(report):
    rows = list(csv.DictReader(io.StringIO(report_csv_data(report))))
    assert len(rows) == len(report["malls"])
    first = rows[0]
    assert first["rank"] == "1" and first["visits"] == str(7 * 34)
    assert {"week", "code", "regency_code", "visits_per_1000", "status"} <= set(first)
    assert rows[-1]["status"] == "no_data" and rows[-1]["visits"] == ""


@pytest.mark.parametrize(
    ("language", "headers", "no_data"),
    [
        (
            "id",
            ["Minggu", "Peringkat", "Peringkat per kapita", "Kode mal", "Nama mal"],
            "tanpa data",
        ),
        ("en", ["Week", "Rank", "Rank per capita", "Mall code", "Mall name"], "no data"),
    ],
)
def test_the_csv_for_people_speaks_the_readers_language(report, language, headers, no_data):
    with translation.override(language):
        rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[0][:5] == headers
    assert "visits_per_1000" not in rows[0]
    status = rows[0].index("Status")
    assert rows[-1][status] == no_data


@pytest.mark.parametrize(
    ("language", "sheets", "headers"),
    [
        (
            "id",
            ["Ringkasan", "Mal", "Terendah", "Tertinggi", "20 teratas", "Mal baru", "Mal sepi"],
            ("Peringkat", "Peringkat per kapita", "Kode mal"),
        ),
        (
            "en",
            ["Summary", "Malls", "Lowest", "Highest", "Top 20", "New malls", "Quiet malls"],
            ("Rank", "Rank per capita", "Mall code"),
        ),
    ],
)
def test_the_xlsx_has_sheets_and_headers_in_the_readers_language(report, language, sheets, headers):
    with translation.override(language):
        content = report_xlsx(report)
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames[: len(sheets)] == sheets
    top = list(book[sheets[4]].iter_rows(values_only=True))
    assert top[0][:3] == headers
    assert len(top) == 21 and top[1][0] == 1
    lowest = list(book[sheets[2]].iter_rows(values_only=True))
    assert len(lowest) == 11 and lowest[1][6] == 7 * 5


def test_the_xlsx_carries_native_charts_and_the_time_in_wib(report):
    import zipfile

    with translation.override("en"):
        content = report_xlsx(report)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert sum(name.startswith("xl/charts/chart") for name in names) >= 2
    summary = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    as_of = next(row[1] for row in summary if row[0] == "Data as of")
    assert as_of.endswith(" WIB")


def _headings(document) -> str:
    def labels(tree):
        for label, _target, children, _state in tree:
            yield label
            yield from labels(children)

    return " | ".join(labels(document.make_bookmark_tree()))


def test_the_pdf_has_every_section_the_minister_reads(report):
    from weasyprint import HTML

    with translation.override("en"):
        document = HTML(string=report_pdf_html(report)).render()
    titles = _headings(document)
    for heading in [
        "National totals",
        "Service quality",
        "Lowest 10",
        "Highest 10",
        "National top 20",
        "National visits, the last 12 weeks",
        "Highest per 1,000 population",
        "Lowest per 1,000 population",
        "Map of visits per 1,000 population",
        "Provinces",
        "Quiet malls",
        "New malls",
        "Malls with no data",
    ]:
        assert heading in titles


def _text_boxes(document):
    """(page number, text, left, right, top, bottom) of every laid-out piece of text."""
    from weasyprint.formatting_structure import boxes

    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():  # noqa: SLF001 - the layout is the test
            if isinstance(box, boxes.TextBox) and box.text.strip():
                yield (
                    number,
                    box.text,
                    box.position_x,
                    box.position_x + box.width,
                    box.position_y,
                    box.position_y + box.height,
                    page,
                )


def _outside_the_page(document) -> list:
    outside = []
    for number, text, left, right, top, bottom, page in _text_boxes(document):
        if left < -0.5 or right > page.width + 0.5 or top < -0.5 or bottom > page.height + 0.5:
            outside.append((number, text, round(left), round(right)))
    return outside


def test_nothing_in_the_pdf_runs_off_the_page_even_with_the_longest_mall_names(report):
    from weasyprint import HTML

    longest = "Mal Pelayanan Publik Kabupaten Kepulauan Siau Tagulandang Biaro " * 2
    for section in ("lowest", "highest", "quiet", "no_data", "new_malls", "lowest_per_capita"):
        for m in report[section]:
            m["name"] = m["region"] = longest.strip() + f" {m['code']}"
    report["quiet"] = report["malls"][:15]
    for m in report["quiet"]:
        m["quiet_reasons"], m["quiet_peer_median"] = ["below_peers"], 123456
    report["totals"]["visits"] = 123_456_789
    with translation.override("id"):
        html = report_pdf_html(report)
        document = HTML(string=html).render()
    assert _outside_the_page(document) == []
    text = " ".join(t for _n, t, *_rest in _text_boxes(document))
    assert "123.456.789" in text  # thousands separated as Indonesians write them
    assert "dan 10 lainnya" not in text and "lainnya" not in text
    assert longest.split()[0] in text
    # Every page is numbered and carries the time of the data in WIB.
    assert "Halaman" in html and "counter(pages)" in html and " WIB" in html


def test_the_overflow_check_catches_text_that_runs_off_the_page():
    from weasyprint import HTML

    html = "<p style='white-space: nowrap'>" + "Mal Pelayanan Publik " * 40 + "</p>"
    assert _outside_the_page(HTML(string=html).render())


def test_chart_labels_are_never_cut():
    from ..charts import bars_svg

    name = "Mal Pelayanan Publik Kabupaten Kepulauan Siau Tagulandang Biaro"
    svg = str(bars_svg([(name, 10), ("Sampit", 5)], width=360, bar=9))
    assert name in svg and "…" not in svg


def test_the_command_writes_every_format(report, tmp_path, capsys):
    call_command("weekly_report", week="2025-W23", format="json", lowest=3)
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {
        "week",
        "malls",
        "lowest",
        "highest",
        "top20",
        "new_malls",
        "quiet",
        "no_data",
        "provinces",
        "totals",
    }
    assert len(data["lowest"]) == 3
    mall = data["malls"][0]
    assert set(mall) >= {
        "code",
        "name",
        "regency_code",
        "visits",
        "served",
        "visits_per_1000",
        "rank",
        "rank_per_capita",
        "change_pct",
        "status",
    }
    for fmt in ["xlsx", "pdf", "csv"]:
        out = tmp_path / f"report.{fmt}"
        call_command("weekly_report", week="2025-W23", format=fmt, out=str(out))
        assert out.stat().st_size > 500
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    call_command("weekly_report", week="2025-W23", format="table")
    assert "2025-W23" in capsys.readouterr().out


def test_the_command_names_a_bad_week():
    with pytest.raises(CommandError, match="--week"):
        call_command("weekly_report", week="2025-W60")
