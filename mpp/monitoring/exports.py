"""The weekly report as a text table, JSON, CSV, XLSX and a PDF.

All take the plain data from `report.weekly_report_build`. Files people read (CSV, XLSX,
PDF) speak the reader's language: sheet names, headers, status values and units through
gettext (Indonesian by default), times in WIB with the zone named. Systems read the "data"
CSV (`report.data.csv`) and the JSON, whose column names are stable English identifiers."""

import io
import json
import logging
from datetime import datetime

from django.template.loader import render_to_string
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mpp.core.exports import csv_writer

from .charts import bars_svg
from .weeks import JAKARTA

MALL_COLUMNS = [
    "rank",
    "rank_per_capita",
    "code",
    "name",
    "regency_code",
    "province",
    "visits",
    "served",
    "no_shows",
    "visits_per_1000",
    "visits_per_counter",
    "previous_visits",
    "change_pct",
    "avg_wait_minutes",
    "avg_service_minutes",
    "within_standard_pct",
    "days_with_data",
    "source",
    "status",
    # service quality (surveys): IKM and complaints for the quarter so far, the rest weekly
    "ikm",
    "ikm_grade",
    "ikm_respondents",
    "complaints_received",
    "complaints_in_time_pct",
    "time_compliance_pct",
    "counters_staffed_pct",
]
PROVINCE_COLUMNS = [
    "code",
    "name",
    "malls",
    "malls_with_data",
    "malls_no_data",
    "malls_quiet",
    "visits",
    "served",
    "visits_per_1000",
    "change_pct",
]
# What a person reads for each column (units named), and for each status value.
COLUMN_LABELS = {
    "week": gettext_lazy("Week"),
    "rank": gettext_lazy("Rank"),
    "rank_per_capita": gettext_lazy("Rank per capita"),
    "code": gettext_lazy("Mall code"),
    "name": gettext_lazy("Mall name"),
    "regency_code": gettext_lazy("Regency/city code"),
    "province": gettext_lazy("Province"),
    "visits": gettext_lazy("Visits"),
    "served": gettext_lazy("Served"),
    "no_shows": gettext_lazy("No-shows"),
    "visits_per_1000": gettext_lazy("Visits per 1,000 population"),
    "visits_per_counter": gettext_lazy("Visits per open counter"),
    "previous_visits": gettext_lazy("Visits the week before"),
    "change_pct": gettext_lazy("Change (%)"),
    "avg_wait_minutes": gettext_lazy("Average wait (minutes)"),
    "avg_service_minutes": gettext_lazy("Average service (minutes)"),
    "within_standard_pct": gettext_lazy("Served within standard time (%)"),
    "days_with_data": gettext_lazy("Days with data"),
    "source": gettext_lazy("Data source"),
    "status": gettext_lazy("Status"),
    "ikm": gettext_lazy("IKM (quarter so far)"),
    "ikm_grade": gettext_lazy("IKM grade"),
    "ikm_respondents": gettext_lazy("IKM respondents"),
    "complaints_received": gettext_lazy("Complaints received"),
    "complaints_in_time_pct": gettext_lazy("Complaints answered in time (%)"),
    "time_compliance_pct": gettext_lazy("Time compliance (%)"),
    "counters_staffed_pct": gettext_lazy("Counters staffed (%)"),
    "malls": gettext_lazy("Malls"),
    "malls_with_data": gettext_lazy("Malls with data"),
    "malls_no_data": gettext_lazy("Malls without data"),
    "malls_quiet": gettext_lazy("Quiet malls"),
}
STATUS_LABELS = {
    "ok": gettext_lazy("normal"),
    "quiet": gettext_lazy("quiet"),
    "no_data": gettext_lazy("no data"),
    "new": gettext_lazy("new"),
}
SOURCE_LABELS = {
    "queue": gettext_lazy("platform queue"),
    "counts": gettext_lazy("daily counts"),
    "events": gettext_lazy("visit events"),
}
REASON_LABELS = {
    "below_peers": gettext_lazy("below half the median of malls of similar population"),
    "falling": gettext_lazy("falling three weeks in a row"),
}
# WeasyPrint reports every layout step at INFO; keep the logs for what matters.
for _logger in ("weasyprint", "fontTools"):
    logging.getLogger(_logger).setLevel(logging.WARNING)

FORMATS = ["table", "json", "csv", "data.csv", "xlsx", "pdf"]
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "data.csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "table": "text/plain; charset=utf-8",
}


def _cell(value) -> str:
    return "—" if value is None else str(value)


def label(column: str) -> str:
    return str(COLUMN_LABELS.get(column, column))


def status_label(value) -> str:
    return str(STATUS_LABELS.get(value, value or ""))


def source_label(value) -> str:
    if not value:
        return ""
    return " + ".join(str(SOURCE_LABELS.get(part, part)) for part in value.split("+"))


def number(value, digits: int | None = None) -> str:
    """A number as the reader writes it: 39.285 and 12,5 in Indonesian, 39,285 and 12.5 in
    English; "—" for none."""
    if value is None:
        return "—"
    if digits is None:
        digits = 0 if isinstance(value, int) else 1
    return number_format(value, digits, force_grouping=True)


def wib(moment) -> str:
    """An instant in Western Indonesian Time, the zone named (the ministry's clock)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(JAKARTA)
    return f"{date_format(local, 'j E Y H:i')} WIB"


def _human(column: str, value):
    """A cell for people: status and source in words, other values as they are."""
    if value is None:
        return ""
    if column == "status":
        return status_label(value)
    if column == "source":
        return source_label(value)
    return value


def report_table(report: dict) -> str:
    """A plain-text summary for the terminal."""
    lines = [f"{_('Weekly report')} {report['week']} ({report['start']} – {report['end']})", ""]
    widths = [5, 5, 10, 44, 8, 9, 8, 8]
    head = ["rank", "rank/c", "code", "name", "visits", "per1000", "change%", "status"]

    def row(values):
        return "  ".join(str(v)[:w].ljust(w) for v, w in zip(values, widths, strict=True))

    sections = [
        (_("Lowest"), report["lowest"]),
        (_("Highest"), report["highest"]),
        (_("National top 20"), report["top20"]),
        (_("New malls"), report["new_malls"]),
        (_("Quiet malls"), report["quiet"]),
        (_("Malls with no data"), report["no_data"]),
    ]
    for title, malls in sections:
        lines += [f"## {title} ({len(malls)})", row(head)]
        for m in malls:
            lines.append(
                row(
                    [
                        _cell(m[k])
                        for k in (
                            "rank",
                            "rank_per_capita",
                            "code",
                            "name",
                            "visits",
                            "visits_per_1000",
                            "change_pct",
                            "status",
                        )
                    ]
                )
            )
        lines.append("")
    totals = report["totals"]
    lines.append(
        f"## {_('National totals')}: "
        + ", ".join(f"{key}={_cell(value)}" for key, value in totals.items())
    )
    if report.get("quality"):
        lines.append(
            f"## {_('Service quality')}: "
            + ", ".join(f"{key}={_cell(value)}" for key, value in report["quality"].items())
        )
    return "\n".join(lines) + "\n"


def report_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def report_csv(report: dict) -> str:
    """For people: one row per mall (ranked malls first, then those without data), headers
    and status values in the active language."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([label("week"), *(label(c) for c in MALL_COLUMNS)])
    for mall in report["malls"]:
        writer.writerow([report["week"], *(_human(c, mall.get(c)) for c in MALL_COLUMNS)])
    return out.getvalue()


def report_csv_data(report: dict) -> str:
    """For systems: the same rows with stable machine column names and status codes."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["week", *MALL_COLUMNS])
    for mall in report["malls"]:
        writer.writerow(
            [report["week"], *("" if mall.get(c) is None else mall[c] for c in MALL_COLUMNS)]
        )
    return out.getvalue()


SHEETS = [
    ("malls", gettext_lazy("Malls")),
    ("lowest", gettext_lazy("Lowest")),
    ("highest", gettext_lazy("Highest")),
    ("top20", gettext_lazy("Top 20")),
    ("new_malls", gettext_lazy("New malls")),
    ("quiet", gettext_lazy("Quiet malls")),
    ("no_data", gettext_lazy("No data")),
    ("provinces", gettext_lazy("Provinces")),
]
SUMMARY_LABELS = {
    "visits_per_1000": gettext_lazy("Visits per 1,000 population"),
    "change_pct": gettext_lazy("Change (%)"),
    "visits": gettext_lazy("Visits"),
    "served": gettext_lazy("Served"),
    "no_shows": gettext_lazy("No-shows"),
}
QUALITY_LABELS = {
    "period": gettext_lazy("IKM period"),
    "period_start": gettext_lazy("IKM period from"),
    "ikm": gettext_lazy("IKM (quarter so far)"),
    "ikm_grade": gettext_lazy("IKM grade"),
    "ikm_grade_label": gettext_lazy("IKM grade meaning"),
    "ikm_respondents": gettext_lazy("IKM respondents"),
    "complaints_received": gettext_lazy("Complaints received"),
    "complaints_in_time_pct": gettext_lazy("Complaints answered in time (%)"),
    "time_compliance_pct": gettext_lazy("Time compliance (%)"),
    "counters_staffed_pct": gettext_lazy("Counters staffed (%)"),
}


def _sheet_name(text) -> str:
    name = str(text)
    for bad in "[]:*?/\\":
        name = name.replace(bad, " ")
    return name[:31]


def report_xlsx(report: dict) -> bytes:
    """Sheets and headers in the active language; numbers stay numbers (with a thousands
    format, shown in the reader's own locale by the spreadsheet); native bar charts of the
    top 20 and the lowest malls, and a line chart of the national trend when present."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    formats = {
        "bold": book.add_format({"bold": True, "bg_color": "#DDE4EE", "text_wrap": True}),
        "whole": book.add_format({"num_format": "#,##0"}),
        "decimal": book.add_format({"num_format": "#,##0.0"}),
    }
    summary = _xlsx_summary(book, report, formats)
    names = _xlsx_section_sheets(book, report, formats)
    chart_row = _xlsx_bar_charts(book, summary, report, names)
    _xlsx_trend(book, summary, report.get("trend") or [], formats, chart_row)
    book.close()
    return out.getvalue()


def _xlsx_number_format(value, formats):
    if isinstance(value, int):
        return formats["whole"]
    return formats["decimal"] if isinstance(value, float) else None


def _xlsx_summary(book, report, formats):
    """The first sheet: the week, its dates, the totals and the quality line."""
    bold = formats["bold"]
    summary = book.add_worksheet(_sheet_name(_("Summary")))
    summary.write(0, 0, _("Weekly report"), bold)
    summary.write(0, 1, report["week"])
    summary.write(1, 0, _("From"))
    summary.write(1, 1, report["start"])
    summary.write(2, 0, _("To"))
    summary.write(2, 1, report["end"])
    summary.write(3, 0, _("Data as of"))
    summary.write(3, 1, wib(report["generated_at"]))
    row = 4
    if report.get("provisional"):
        summary.write(row, 0, _("Provisional (sementara)"), bold)
        summary.write(
            row,
            1,
            _("%(days)s days covered, up to %(until)s")
            % {"days": report["days_covered"], "until": report["covered_until"]},
        )
        row += 1
    row += 1
    for key, value in report["totals"].items():
        summary.write(row, 0, str(SUMMARY_LABELS.get(key) or label(key)))
        summary.write(
            row,
            1,
            "" if value is None else value,
            formats["whole"] if isinstance(value, int) else formats["decimal"],
        )
        row += 1
    if report.get("quality"):
        row += 1
        for key, value in report["quality"].items():
            summary.write(row, 0, str(QUALITY_LABELS.get(key, key)))
            summary.write(row, 1, "" if value is None else value)
            row += 1
    summary.set_column(0, 0, 34)
    summary.set_column(1, 1, 24)
    return summary


def _xlsx_section_sheets(book, report, formats) -> dict:
    """One sheet per section of the report, with filters and frozen headers; returns the
    sheet name of each section (the charts point at them)."""
    names = {}
    for key, title in SHEETS:
        columns = PROVINCE_COLUMNS if key == "provinces" else MALL_COLUMNS
        rows = report[key]
        names[key] = name = _sheet_name(title)
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [label(c) for c in columns], formats["bold"])
        for r, item in enumerate(rows, start=1):
            for c, column in enumerate(columns):
                value = _human(column, item.get(column))
                sheet.write(r, c, value, _xlsx_number_format(value, formats))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        sheet.set_column(0, len(columns) - 1, 13)
        sheet.set_row(0, 45)
        if "name" in columns:
            sheet.set_column(columns.index("name"), columns.index("name"), 44)
    return names


def _xlsx_bar_charts(book, summary, report, names) -> int:
    """Bar charts of the top 20 and the lowest malls on the summary sheet; returns the row
    below them."""
    chart_row = 1
    name_col, visits_col = MALL_COLUMNS.index("name"), MALL_COLUMNS.index("visits")
    for key, title in (("top20", _("National top 20")), ("lowest", _("Lowest"))):
        count = len(report[key])
        if not count:
            continue
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": str(label("visits")),
                "categories": [names[key], 1, name_col, count, name_col],
                "values": [names[key], 1, visits_col, count, visits_col],
                "fill": {"color": "#0B4F8A" if key == "top20" else "#9B1C1C"},
            }
        )
        chart.set_title({"name": str(title)})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 620, "height": 60 + 22 * count})
        summary.insert_chart(chart_row, 3, chart)
        chart_row += 4 + count
    return chart_row


def _xlsx_trend(book, summary, trend, formats, chart_row) -> None:
    """The national visits per week, as a sheet and a line chart, when the report has them."""
    if not trend:
        return
    sheet_name = _sheet_name(_("Trend"))
    sheet = book.add_worksheet(sheet_name)
    sheet.write_row(0, 0, [_("Week"), str(label("visits"))], formats["bold"])
    for r, point in enumerate(trend, start=1):
        sheet.write(r, 0, point["week"])
        sheet.write(r, 1, "" if point["visits"] is None else point["visits"], formats["whole"])
    chart = book.add_chart({"type": "line"})
    chart.add_series(
        {
            "name": str(label("visits")),
            "categories": [sheet_name, 1, 0, len(trend), 0],
            "values": [sheet_name, 1, 1, len(trend), 1],
        }
    )
    chart.set_title({"name": _("National visits per week")})
    chart.set_legend({"none": True})
    summary.insert_chart(chart_row, 3, chart)


def _print_map(drawn: dict) -> dict:
    """The map without its hover titles (paper has no hover; a quarter of the print time)."""
    import re

    from django.utils.safestring import mark_safe

    svg = re.sub(r"<title>.*?</title>", "", str(drawn["svg"]), flags=re.S)
    return drawn | {"svg": mark_safe(svg)}  # noqa: S308 - built and escaped by map_svg


def report_pdf_html(report: dict) -> str:
    """The minister's brief as HTML (WeasyPrint prints it): every quiet mall with its
    reason, the per-capita ranking, the map, the province table, the national trend, page
    numbers and the time of the data in WIB."""
    from .charts import line_svg
    from .maps import map_svg

    def names(malls):
        return [(m["name"], m["visits"]) for m in malls]

    return render_to_string(
        "monitoring/report_pdf.html",
        {
            "report": report,
            "top_chart": bars_svg(names(report["top20"]), width=360, bar=9),
            "low_chart": bars_svg(names(report["lowest"]), width=360, bar=9, colour="#9b1c1c"),
            "trend_chart": line_svg(
                [(p["week"], p["visits"] or 0) for p in report.get("trend") or []], width=360
            ),
            "map": _print_map(map_svg(report)) if report["malls"] else None,
            "as_of_text": f"{_('Data as of')} {wib(report['generated_at'])}",
            "page_word": _("Page"),
        },
    )


def report_pdf(report: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=report_pdf_html(report)).write_pdf()


def report_render(report: dict, fmt: str) -> bytes:
    """The report in `fmt` (one of FORMATS) as bytes."""
    renderers = {
        "table": lambda r: report_table(r).encode(),
        "json": lambda r: report_json(r).encode(),
        "csv": lambda r: report_csv(r).encode("utf-8"),
        "data.csv": lambda r: report_csv_data(r).encode("utf-8"),
        "xlsx": report_xlsx,
        "pdf": report_pdf,
    }
    return renderers[fmt](report)
