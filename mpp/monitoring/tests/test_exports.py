import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from mpp.registry.models import Mall

from ..exports import report_csv, report_pdf_html, report_xlsx
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


def test_the_csv_has_one_row_per_mall_with_stable_columns(report):
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert len(rows) == len(report["malls"])
    first = rows[0]
    assert first["rank"] == "1" and first["visits"] == str(7 * 34)
    assert {"week", "code", "regency_code", "visits_per_1000", "status"} <= set(first)
    assert rows[-1]["status"] == "no_data" and rows[-1]["visits"] == ""


def test_the_xlsx_opens_with_a_sheet_per_section(report):
    book = load_workbook(io.BytesIO(report_xlsx(report)), read_only=True)
    assert {
        "malls",
        "lowest",
        "highest",
        "top20",
        "new_malls",
        "quiet",
        "no_data",
        "provinces",
    } <= set(book.sheetnames)
    top = list(book["top20"].iter_rows(values_only=True))
    assert top[0][:3] == ("rank", "rank_per_capita", "code")
    assert len(top) == 21 and top[1][0] == 1
    lowest = list(book["lowest"].iter_rows(values_only=True))
    assert len(lowest) == 11 and lowest[1][6] == 7 * 5


def test_the_pdf_is_one_page_with_every_section(report):
    from weasyprint import HTML

    with translation.override("en"):
        document = HTML(string=report_pdf_html(report)).render()
    assert len(document.pages) == 1

    def labels(tree):
        for label, _target, children, _state in tree:
            yield label
            yield from labels(children)

    titles = " | ".join(labels(document.make_bookmark_tree()))
    for heading in [
        "National totals",
        "Service quality",
        "Lowest 10",
        "Highest 10",
        "National top 20",
        "New malls",
        "Quiet malls",
        "Malls with no data",
    ]:
        assert heading in titles


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
