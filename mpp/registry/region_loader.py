"""Load the Kemendagri region tables shipped in mpp/registry/data/ into the database.

The data files are built by scripts/build_region_data.py (see data/SOURCE.md). Loading is
an upsert keyed on the region code, so it can be re-run after a data update; regions that
disappear from the data are kept, because NIKs and records may still point at them.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.db import models, transaction

from .models import District, HistoricalRegion, Province, Regency, RegencyKind, Village
from .models.regions import level_of_code, timezone_for_region_code

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_FILE = "regions.tsv.gz"
HISTORICAL_FILE = "historical_regions.tsv.gz"
# Large enough to keep round trips few on PostgreSQL; Django lowers it further where
# SQLite's limit on query parameters requires.
BATCH_SIZE = 2000
CODE_RE = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$")

Progress = Callable[[str], None]
Row = tuple[int, list[str]]  # (line number, columns)
# Field values by attname; models are only instantiated for rows that must be written,
# which keeps a re-run (nothing to write) fast.
Values = dict[str, Any]


def _read_tsv(name: str, columns: int) -> list[Row]:
    """All rows of a shipped data file, checking shape and code format up front."""
    with gzip.open(DATA_DIR / name, "rt", encoding="utf-8") as stream:
        rows = [(n, line.rstrip("\n").split("\t")) for n, line in enumerate(stream, 1)]
    for line, cols in rows:
        if len(cols) != columns or not CODE_RE.match(cols[0]):
            raise ValueError(f"{name} line {line}: malformed row {cols[:2]!r}")
    return rows


def _check_parents(rows: list[Row]) -> None:
    """Refuse the file before writing anything if a row's parent code is absent."""
    codes = {cols[0] for _line, cols in rows}
    for line, cols in rows:
        parent = cols[0].rpartition(".")[0]
        if parent and parent not in codes:
            raise ValueError(
                f"{REGIONS_FILE} line {line}: region {cols[0]} refers to missing parent {parent}"
            )


def _int(value: str) -> int | None:
    return int(value) if value else None


def _float(value: str) -> float | None:
    return float(value) if value else None


def _regency_kind(line: int, code: str) -> str:
    """KK 01-69 are kabupaten and 71-99 kota; anything else means the data is wrong."""
    number = int(code[3:])
    if 1 <= number <= 69:
        return RegencyKind.KABUPATEN
    if 71 <= number <= 99:
        return RegencyKind.KOTA
    raise ValueError(f"{REGIONS_FILE} line {line}: kab/kota code {code} is neither 01-69 nor 71-99")


def _province(line: int, cols: list[str]) -> Values:
    code, name, population, _male, _female, area = cols
    return {
        "code": code,
        "name": name,
        "timezone": timezone_for_region_code(code),
        "population": _int(population),
        "area_km2": _float(area),
    }


def _regency(line: int, cols: list[str]) -> Values:
    code, name, population, male, female, area = cols
    return {
        "code": code,
        "province_id": code[:2],
        "name": name,
        "kind": _regency_kind(line, code),
        "population": _int(population),
        "population_male": _int(male),
        "population_female": _int(female),
        "area_km2": _float(area),
    }


def _district(line: int, cols: list[str]) -> Values:
    return {"code": cols[0], "regency_id": cols[0][:5], "name": cols[1]}


def _village(line: int, cols: list[str]) -> Values:
    return {"code": cols[0], "district_id": cols[0][:8], "name": cols[1]}


# Parents first, so foreign keys always point at rows that already exist.
BUILDERS: list[tuple[type[models.Model], Callable[[int, list[str]], Values]]] = [
    (Province, _province),
    (Regency, _regency),
    (District, _district),
    (Village, _village),
]


def _update_fields(model: type[models.Model]) -> list[str]:
    """Every concrete column except the code, as attnames (province_id, not province)."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def _changed(model: type[models.Model], rows: list[Values]) -> list[Values]:
    """Only rows that are new or differ from the database, so a re-run writes nothing."""
    fields = _update_fields(model)
    existing = {row[0]: row[1:] for row in model.objects.values_list("pk", *fields).iterator()}
    return [r for r in rows if existing.get(r["code"]) != tuple(r[f] for f in fields)]


def _upsert(model: type[models.Model], rows: list[Values], say: Progress) -> int:
    """Insert or update rows by code; returns how many rows were written."""
    todo = [model(**values) for values in _changed(model, rows)]
    say(f"{model.__name__}: {len(rows):,} rows, {len(todo):,} new or changed")
    for start in range(0, len(todo), BATCH_SIZE):
        model.objects.bulk_create(
            todo[start : start + BATCH_SIZE],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=_update_fields(model),
        )
    return len(todo)


def _region_values(rows: Iterable[Row], include_villages: bool) -> list[list[Values]]:
    """Field values per level (province, kab/kota, kecamatan, village)."""
    levels: list[list[Values]] = [[] for _ in BUILDERS]
    for line, cols in rows:
        level = cols[0].count(".")
        if level < 3 or include_villages:
            levels[level].append(BUILDERS[level][1](line, cols))
    return levels


def _historical_values() -> list[Values]:
    return [
        {"code": code, "name": name, "level": level_of_code(code), "last_edition": int(year)}
        for _line, (code, name, year) in _read_tsv(HISTORICAL_FILE, 3)
    ]


def regions_load(
    *, include_villages: bool = True, progress: Progress | None = None
) -> dict[str, int]:
    """Upsert all regions and historical codes; returns the number of rows per model in
    the data (Village is absent when include_villages is False). Idempotent."""
    say: Progress = progress or (lambda _message: None)
    rows = _read_tsv(REGIONS_FILE, 6)
    _check_parents(rows)
    levels = _region_values(rows, include_villages)
    historical = _historical_values()
    say(f"Read {len(rows):,} regions and {len(historical):,} historical codes")
    counts: dict[str, int] = {}
    # One transaction: a failure leaves the previous data untouched, never half a load.
    with transaction.atomic():
        for (model, _builder), values in zip(BUILDERS, levels, strict=True):
            if model is Village and not include_villages:
                say("Village: skipped")
                continue
            _upsert(model, values, say)
            counts[model.__name__] = len(values)
        _upsert(HistoricalRegion, historical, say)
        counts[HistoricalRegion.__name__] = len(historical)
    return counts
