"""The SKM report in the regulation's shape: per-element NRR, weighted NRR, IKM, quality
grade, respondent profile and the elements to improve, as data, XLSX and PDF."""

import io
from dataclasses import dataclass

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .ikm import IkmResult, Period
from .models import (
    ELEMENT_FIELDS,
    AgeBand,
    Education,
    LegacyReport,
    Occupation,
    Sex,
    SurveyResponse,
)
from .questions import ELEMENT_TITLES

PROFILE = [
    ("age_band", gettext_lazy("Age"), AgeBand),
    ("sex", gettext_lazy("Sex"), Sex),
    ("education", gettext_lazy("Education"), Education),
    ("occupation", gettext_lazy("Occupation"), Occupation),
]


@dataclass
class SkmReport:
    unit: str
    period: Period
    result: IkmResult
    elements: list[dict]
    profile: list[dict]
    lowest: list[dict]
    sample_target: int | None = None


def skm_report_build(*, responses, unit: str, period: Period, sample_target=None) -> SkmReport:
    """Everything the report prints, from two aggregate queries per profile field."""
    responses = responses.in_period(period)
    result = responses.ikm()
    elements = [
        {
            "code": field.upper(),
            "title": str(ELEMENT_TITLES[field]),
            "sum": result.element_sums[i],
            "nrr": result.nrr_display[i] if result.nrr else None,
            "weighted": result.weighted_display[i] if result.weighted else None,
        }
        for i, field in enumerate(ELEMENT_FIELDS)
    ]
    profile = []
    for name, title, choices in PROFILE:
        counts = dict(
            responses.order_by().values_list(name).annotate(n=Count("id")).values_list(name, "n")
        )
        rows = [(str(label), counts.get(value, 0)) for value, label in choices.choices]
        rows.append((_("Not stated"), counts.get("", 0)))
        profile.append({"title": str(title), "rows": rows})
    lowest = [
        {"code": f"U{n}", "title": str(ELEMENT_TITLES[f"u{n}"]), "nrr": elements[n - 1]["nrr"]}
        for n, _nrr in (result.lowest_elements(3) if result.nrr else [])
    ]
    return SkmReport(unit, period, result, elements, profile, lowest, sample_target)


def skm_report_xlsx(report: SkmReport) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = {
        "bold": book.add_format({"bold": True}),
        "four": book.add_format({"num_format": "0.0000"}),
    }
    _skm_sheet(book.add_worksheet("SKM"), report, formats)
    _respondents_sheet(book.add_worksheet(_("Respondents")), report, formats["bold"])
    book.close()
    return buffer.getvalue()


def _skm_sheet(sheet, report: SkmReport, formats) -> None:
    """The index sheet: unit, period, sample, each element's NRR, the IKM and its grade."""
    bold, four = formats["bold"], formats["four"]
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 4, 16)
    sheet.write(0, 0, _("Public satisfaction survey (SKM) — PermenPANRB 14/2017"), bold)
    sheet.write(1, 0, _("Unit"))
    sheet.write(1, 1, report.unit)
    sheet.write(2, 0, _("Period"))
    sheet.write(2, 1, str(report.period))
    sheet.write(3, 0, _("Respondents"))
    sheet.write_number(3, 1, report.result.respondents)
    if report.sample_target is not None:
        sheet.write(4, 0, _("Sample target (Krejcie & Morgan)"))
        sheet.write_number(4, 1, report.sample_target)
    row = 6
    for col, title in enumerate(
        [_("Element"), _("Sum of scores"), _("NRR per element"), _("Weighted NRR")]
    ):
        sheet.write(row, col, title, bold)
    for element in report.elements:
        row += 1
        sheet.write(row, 0, f"{element['code']} {element['title']}")
        sheet.write_number(row, 1, element["sum"])
        if element["nrr"] is not None:
            sheet.write_number(row, 2, float(element["nrr"]), four)
            sheet.write_number(row, 3, float(element["weighted"]), four)
    row += 2
    grade = report.result.grade
    for label, value in [
        (_("IKM"), str(report.result.ikm) if report.result.ikm is not None else "—"),
        (_("Quality grade"), f"{grade.letter} ({grade.label})" if grade else "—"),
    ]:
        sheet.write(row, 0, label, bold)
        sheet.write(row, 1, value, bold)
        row += 1
    row += 1
    sheet.write(row, 0, _("Elements to improve first"), bold)
    for item in report.lowest:
        row += 1
        sheet.write(row, 0, f"{item['code']} {item['title']}")
        sheet.write_number(row, 2, float(item["nrr"]), four)


def _respondents_sheet(sheet, report: SkmReport, bold) -> None:
    """The respondents' profile, one block per question (age, sex, education, ...)."""
    sheet.set_column(0, 0, 36)
    row = 0
    for block in report.profile:
        sheet.write(row, 0, block["title"], bold)
        for label, count in block["rows"]:
            row += 1
            sheet.write(row, 0, label)
            sheet.write_number(row, 1, count)
        row += 2


def skm_report_pdf(report: SkmReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("surveys/report_pdf.html", {"report": report})
    return HTML(string=html).write_pdf()


# --- the IKM table: any unit, any period ---------------------------------------------------

GROUP_KEYS = {
    "mall": "mall_id",
    "service": "service_id",
    "agency": "agency_id",
    "province": "mall__province_id",
}


def _names(group: str, ids) -> dict:
    from mpp.registry.models import Agency, Mall, Province, Service

    if group == "service":
        return {
            s.pk: f"{s.name} — {s.agency} ({s.mall})"
            for s in Service.objects.filter(pk__in=ids).select_related("agency", "mall")
        }
    model = {"mall": Mall, "agency": Agency, "province": Province}[group]
    return {obj.pk: str(obj) for obj in model.objects.filter(pk__in=ids)}


def ikm_rows(*, responses, rollups, period: Period, group: str, weight_mode: str = "exact"):
    """One row per unit: respondents, IKM, grade, and the sample target from the previous
    period's visitors (Krejcie & Morgan). Two GROUP BY queries, whatever the volume."""
    from django.db.models import Sum

    from .ikm import krejcie_morgan

    key = GROUP_KEYS[group]
    results = responses.in_period(period).ikm_by(key, weight_mode=weight_mode)
    previous = period.previous()
    visitors = dict(
        rollups.filter(local_date__gte=previous.start, local_date__lt=previous.end)
        .order_by()
        .values(key)
        .annotate(n=Sum("served"))
        .values_list(key, "n")
    )
    names = _names(group, results.keys())
    rows = []
    for unit_id, result in results.items():
        target = krejcie_morgan(visitors.get(unit_id) or 0)
        rows.append(
            {
                "id": unit_id,
                "name": names.get(unit_id, str(unit_id)),
                "result": result,
                "visitors_previous": visitors.get(unit_id) or 0,
                "sample_target": target,
                "sample_progress": round(100 * result.respondents / target, 1) if target else None,
            }
        )
    rows.sort(key=lambda r: (-(r["result"].ikm_exact or 0), r["name"]))
    return rows


def legacy_rows(mall) -> list[dict]:
    """Each old report with its 2004-method result and, beside it (never mixed), the
    current method's IKM of the same unit and period."""
    rows = []
    for report in LegacyReport.objects.filter(mall=mall).select_related("service"):
        current = SurveyResponse.objects.filter(
            mall=mall, local_date__gte=report.period_start, local_date__lt=report.period_end
        )
        if report.service_id:
            current = current.filter(service_id=report.service_id)
        rows.append({"report": report, "legacy": report.result(), "current": current.ikm()})
    return rows
