"""Open data: weekly visits per mall, aggregates only (no flags, no personal data)."""

from .report import weekly_report_build
from .weeks import IsoWeek

OPEN_COLUMNS = [
    "week",
    "code",
    "name",
    "regency_code",
    "province",
    "visits",
    "served",
    "visits_per_1000",
]


def open_data_rows(*, week: IsoWeek) -> list[dict]:
    report = weekly_report_build(week=week)
    rows = sorted(report["malls"], key=lambda m: m["code"])
    return [{"week": report["week"]} | {c: m[c] for c in OPEN_COLUMNS[1:]} for m in rows]
