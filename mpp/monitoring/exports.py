"""The weekly report as a text table, JSON, CSV, XLSX and a one-page PDF.

All take the plain data from `report.weekly_report_build`. Column headers in files are
stable English identifiers (like the JSON keys) so scripts can read them."""

import io
import json
import logging

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from mpp.core.exports import csv_writer

from .charts import bars_svg

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
# WeasyPrint reports every layout step at INFO; keep the logs for what matters.
for _logger in ("weasyprint", "fontTools"):
    logging.getLogger(_logger).setLevel(logging.WARNING)

FORMATS = ["table", "json", "csv", "xlsx", "pdf"]
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "table": "text/plain; charset=utf-8",
}


def _cell(value) -> str:
    return "—" if value is None else str(value)


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
    """One row per mall: ranked malls first, then those without data."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["week", *MALL_COLUMNS])
    for mall in report["malls"]:
        writer.writerow(
            [report["week"], *("" if mall.get(c) is None else mall[c] for c in MALL_COLUMNS)]
        )
    return out.getvalue()


def report_xlsx(report: dict) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDE4EE"})
    summary = book.add_worksheet(_("Summary")[:31])
    summary.write(0, 0, _("Weekly report"), bold)
    summary.write(0, 1, report["week"])
    summary.write(1, 0, _("From"))
    summary.write(1, 1, report["start"])
    summary.write(2, 0, _("To"))
    summary.write(2, 1, report["end"])
    lines = list(report["totals"].items())
    if report.get("quality"):
        lines += [("", None), *(("quality_" + k, v) for k, v in report["quality"].items())]
    for offset, (key, value) in enumerate(lines, start=4):
        summary.write(offset, 0, key)
        summary.write(offset, 1, "" if value is None else value)
    summary.set_column(0, 0, 22)
    sheets = [
        ("malls", report["malls"], MALL_COLUMNS),
        ("lowest", report["lowest"], MALL_COLUMNS),
        ("highest", report["highest"], MALL_COLUMNS),
        ("top20", report["top20"], MALL_COLUMNS),
        ("new_malls", report["new_malls"], MALL_COLUMNS),
        ("quiet", report["quiet"], MALL_COLUMNS),
        ("no_data", report["no_data"], MALL_COLUMNS),
        ("provinces", report["provinces"], PROVINCE_COLUMNS),
    ]
    for name, rows, columns in sheets:
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, columns, bold)
        for r, item in enumerate(rows, start=1):
            sheet.write_row(r, 0, ["" if item.get(c) is None else item[c] for c in columns])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        sheet.set_column(0, len(columns) - 1, 12)
        if "name" in columns:
            sheet.set_column(columns.index("name"), columns.index("name"), 44)
    book.close()
    return out.getvalue()


def report_pdf_html(report: dict) -> str:
    """The one-page minister's brief as HTML (WeasyPrint prints it)."""
    return render_to_string(
        "monitoring/report_pdf.html",
        {
            "report": report,
            "top_chart": bars_svg(
                [(m["region"], m["visits"]) for m in report["top20"]], width=360, bar=9
            ),
            "low_chart": bars_svg(
                [(m["region"], m["visits"]) for m in report["lowest"]],
                width=360,
                bar=9,
                colour="#9b1c1c",
            ),
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
        "xlsx": report_xlsx,
        "pdf": report_pdf,
    }
    return renderers[fmt](report)
