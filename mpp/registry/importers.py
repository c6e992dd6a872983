"""Importing the list of malls from CSV: every row is checked first, and the import is
all or nothing, so a broken row never leaves half a list behind."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Mall, MallStatus, Province, Regency

REQUIRED_COLUMNS = ["kode_wilayah", "nama_mpp"]
# Column in the CSV → field of Mall, for error messages that name both.
FIELD_OF_COLUMN = {
    "kode_wilayah": "regency",
    "nama_mpp": "name",
    "tanggal_peresmian": "inaugurated_on",
    "tanggal_tutup": "closed_on",
    "status": "status",
    "digital_pilot": "is_digital_pilot",
    "jumlah_layanan": "reported_services",
    "jumlah_instansi": "reported_agencies",
    "alamat": "address",
    "lat": "latitude",
    "lng": "longitude",
    "batch": "inauguration_batch",
    "sumber": "sources",
}
COLUMN_OF_FIELD = {v: k for k, v in FIELD_OF_COLUMN.items()} | {"province": "kode_wilayah"}


@dataclass
class RowError:
    row: int  # line number in the file, the header being line 1
    column: str
    message: str

    def __str__(self):
        return f"row {self.row}, column '{self.column}': {self.message}"


class MallImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def mall_code_for_region(region_code: str) -> str:
    return "mpp-" + region_code.replace(".", "")


def _parse_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _parse_count(value: str) -> int | None:
    if not value:
        return None
    number = int(value)
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _parse_coordinate(value: str) -> Decimal | None:
    return Decimal(value) if value else None


PARSERS = {
    "tanggal_peresmian": (_parse_date, "expected a date as YYYY-MM-DD"),
    "tanggal_tutup": (_parse_date, "expected a date as YYYY-MM-DD"),
    "jumlah_layanan": (_parse_count, "expected a whole number ≥ 0"),
    "jumlah_instansi": (_parse_count, "expected a whole number ≥ 0"),
    "lat": (_parse_coordinate, "expected a decimal number"),
    "lng": (_parse_coordinate, "expected a decimal number"),
}


def _mall_from_row(line: int, row: dict, regions: dict, errors: list[RowError]) -> Mall | None:
    errors_before = len(errors)
    values = {}
    for column, (parse, hint) in PARSERS.items():
        try:
            values[column] = parse((row.get(column) or "").strip())
        except (ValueError, InvalidOperation):
            errors.append(RowError(line, column, f"{hint}, got '{row.get(column)}'"))
    region_code = (row.get("kode_wilayah") or "").strip()
    region = regions.get(region_code)
    if region is None:
        errors.append(RowError(line, "kode_wilayah", f"unknown region code '{region_code}'"))
    pilot = (row.get("digital_pilot") or "0").strip()
    if pilot not in {"0", "1"}:
        errors.append(RowError(line, "digital_pilot", f"expected 0 or 1, got '{pilot}'"))
    if len(errors) > errors_before:
        return None
    return _build_mall(row, values, region, pilot == "1")


def _build_mall(row: dict, values: dict, region, pilot: bool) -> Mall:
    inaugurated = values["tanggal_peresmian"]
    status = (row.get("status") or "").strip()
    if not status:
        future = inaugurated and inaugurated > timezone.localdate()
        status = (
            MallStatus.CLOSED
            if values["tanggal_tutup"]
            else (MallStatus.PLANNED if future else MallStatus.OPEN)
        )
    is_regency = isinstance(region, Regency)
    return Mall(
        code=mall_code_for_region(region.code),
        name=(row.get("nama_mpp") or "").strip(),
        province_id=region.province_id if is_regency else region.code,
        regency=region if is_regency else None,
        address=(row.get("alamat") or "").strip(),
        latitude=values["lat"],
        longitude=values["lng"],
        inaugurated_on=inaugurated,
        closed_on=values["tanggal_tutup"],
        status=status,
        is_digital_pilot=pilot,
        inauguration_batch=(row.get("batch") or "").strip(),
        reported_services=values["jumlah_layanan"],
        reported_agencies=values["jumlah_instansi"],
        sources="\n".join(s.strip() for s in (row.get("sumber") or "").split(" | ") if s.strip()),
    )


def _validate(line: int, mall: Mall, errors: list[RowError]) -> None:
    try:
        mall.full_clean(exclude=["code", "managers"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.append(RowError(line, COLUMN_OF_FIELD.get(name, name), message))


COPIED_FIELDS = [
    "name",
    "province_id",
    "regency_id",
    "address",
    "latitude",
    "longitude",
    "inaugurated_on",
    "closed_on",
    "status",
    "is_digital_pilot",
    "inauguration_batch",
    "reported_services",
    "reported_agencies",
    "sources",
]


def _check_rows(rows: list[dict]) -> list[tuple[int, Mall]]:
    regions = {r.code: r for r in Regency.objects.all()} | {
        p.code: p for p in Province.objects.all()
    }
    errors: list[RowError] = []
    malls, seen = [], {}
    for line, row in enumerate(rows, start=2):
        for column in REQUIRED_COLUMNS:
            if not (row.get(column) or "").strip():
                errors.append(RowError(line, column, "is required"))
        mall = _mall_from_row(line, row, regions, errors)
        if mall is None:
            continue
        _validate(line, mall, errors)
        if mall.code in seen:
            errors.append(RowError(line, "kode_wilayah", f"same region as row {seen[mall.code]}"))
        seen[mall.code] = line
        malls.append((line, mall))
    if errors:
        raise MallImportError(errors)
    return malls


@transaction.atomic
def malls_import(
    *, rows: list[dict], update_existing: bool = False, progress=None
) -> ImportSummary:
    """Create the malls in `rows` (CSV columns as in data/malls.csv). Existing malls are left
    as their managers corrected them unless `update_existing`."""
    summary = ImportSummary()
    checked = _check_rows(rows)
    existing = {m.code: m for m in Mall.objects.filter(code__in=[m.code for _, m in checked])}
    for index, (_line, mall) in enumerate(checked, start=1):
        current = existing.get(mall.code)
        if current is None:
            mall.save()
            summary.created.append(mall.code)
        elif update_existing and any(
            getattr(current, f) != getattr(mall, f) for f in COPIED_FIELDS
        ):
            for name in COPIED_FIELDS:
                setattr(current, name, getattr(mall, name))
            current.save()
            summary.updated.append(mall.code)
        else:
            summary.unchanged.append(mall.code)
        if progress and index % 50 == 0:
            progress(f"  {index}/{len(checked)} malls")
    return summary


def read_csv_rows(path_or_text: Path | str) -> list[dict]:
    if isinstance(path_or_text, Path):
        text = path_or_text.read_text(encoding="utf-8-sig")
    else:
        text = path_or_text
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise MallImportError([RowError(1, c, "column missing from the header") for c in missing])
    return list(reader)
