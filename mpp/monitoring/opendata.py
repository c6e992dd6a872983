"""Open data: weekly visits per mall, aggregates only (no flags, no personal data),
published under CC BY 4.0 (decision 0033) with a DCAT-style metadata file beside each file."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

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
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC BY 4.0"
# Machine name → (type, description) of each column; the descriptions are the data
# dictionary (in English, the language of the metadata vocabulary).
FIELDS = {
    "week": ("string", "ISO week, YYYY-Www; each mall's week in its own time zone"),
    "code": ("string", "Mall code"),
    "name": ("string", "Mall name"),
    "regency_code": (
        "string",
        "BPS code of the regency or city (the province for a province mall)",
    ),
    "province": ("string", "Province name"),
    "visits": ("integer", "Tickets issued in the week; empty = the mall sent no data"),
    "served": ("integer", "Visits served in the week; empty = no data"),
    "visits_per_1000": ("number", "Visits per 1,000 inhabitants of the regency or province"),
}


def open_data_rows(*, week: IsoWeek) -> list[dict]:
    report = weekly_report_build(week=week)
    rows = sorted(report["malls"], key=lambda m: m["code"])
    return [{"week": report["week"]} | {c: m[c] for c in OPEN_COLUMNS[1:]} for m in rows]


def open_data_metadata(*, week: IsoWeek, base_url: str = "") -> dict:
    """DCAT-style description of one week's file: title, publisher, period, fields,
    license and the distributions (CSV and JSON)."""

    def url(fmt):
        return base_url + reverse("monitoring:open_data_file", args=[str(week), fmt])

    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@type": "dcat:Dataset",
        "dct:identifier": f"kunjungan-mpp-{week}",
        "dct:title": f"Kunjungan Mal Pelayanan Publik per mal, minggu {week}",
        "dct:description": (
            "Weekly visits (tickets issued) and visits served per public service mall; "
            "aggregates only, no personal data."
        ),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": settings.OPEN_DATA_PUBLISHER},
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": week.monday.isoformat(),
            "dcat:endDate": week.sunday.isoformat(),
        },
        "dct:license": LICENSE_URL,
        "dct:rights": f"{LICENSE_NAME}: reuse with attribution to {settings.OPEN_DATA_PUBLISHER}",
        "dct:language": ["id"],
        "dct:modified": timezone.now().isoformat(timespec="seconds"),
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:downloadURL": url(fmt),
                "dcat:mediaType": media,
                "dct:license": LICENSE_URL,
            }
            for fmt, media in (("csv", "text/csv"), ("json", "application/json"))
        ],
        "fields": [
            {"name": name, "type": kind, "description": text}
            for name, (kind, text) in FIELDS.items()
        ],
    }
