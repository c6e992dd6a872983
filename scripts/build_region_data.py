"""Build the compact region files shipped in mpp/registry/data/ from the cahyadsn/wilayah dumps.

Usage: .venv/bin/python scripts/build_region_data.py [--source DIR]

The dumps are MySQL INSERT statements; we parse their VALUES tuples with regular
expressions (never execute them) and write sorted, gzip'd TSV with mtime=0 so a rebuild
from the same sources gives byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "wilayah"
OUT_DIR = REPO_ROOT / "mpp" / "registry" / "data"
SOURCE_COMMIT = "b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7"

# One SQL literal: quoted strings may hold '' / \' escapes, commas and parentheses.
_VALUE = r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|NULL|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"""
VALUE_RE = re.compile(_VALUE)
TUPLE_RE = re.compile(rf"\s*(\(\s*(?:{_VALUE})(?:\s*,\s*(?:{_VALUE}))*\s*\))\s*([,;]?)")
VALUES_KEYWORD_RE = re.compile(r"\bINSERT\s+INTO\b[^;]*?\bVALUES\b", re.IGNORECASE | re.DOTALL)
CODE_RE = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$")
BACKSLASH_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


def unquote(literal: str) -> str | None:
    """Turn one SQL literal into its Python string (None for NULL)."""
    if literal == "NULL":
        return None
    if literal[0] not in "'\"":
        return literal
    quote, body = literal[0], literal[1:-1]
    body = body.replace(quote * 2, quote)
    if "\\" not in body:  # the common case; skip the regex
        return body
    return re.sub(r"\\(.)", lambda m: BACKSLASH_ESCAPES.get(m[1], m[1]), body)


def sql_rows(path: Path) -> Iterator[list[str | None]]:
    """Every VALUES tuple of every INSERT in a MySQL dump, as lists of strings."""
    text = path.read_text(encoding="utf-8")
    for insert in VALUES_KEYWORD_RE.finditer(text):
        pos = insert.end()
        while match := TUPLE_RE.match(text, pos):
            yield [unquote(v) for v in VALUE_RE.findall(match[1][1:-1])]
            pos = match.end()
            if match[2] != ",":
                break
        else:  # no tuple where one was expected: report rather than silently drop rows
            warn(f"{path.name}: cannot parse {text[pos : pos + 60]!r}")


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def clean_name(name: str | None) -> str:
    # Collapse doubled spaces and make sure no tab/newline can break the TSV.
    return " ".join((name or "").split())


def normalise_code(code: str) -> str:
    """Repair codes that went through a float in wilayah_luas: '11.1' is kab/kota 11.10,
    '31.0' is province 31."""
    parts = code.strip().split(".")
    if len(parts) == 2 and parts[1] == "0":
        return parts[0]
    if len(parts) == 2 and len(parts[1]) == 1:
        parts[1] += "0"
    return ".".join(parts)


def read_code_table(path: Path) -> dict[str, str]:
    """code -> name from a wilayah table, skipping (and reporting) malformed codes."""
    table: dict[str, str] = {}
    for row in sql_rows(path):
        code, name = (row[0] or "").strip(), clean_name(row[1])
        if not CODE_RE.match(code):
            warn(f"{path.name}: skipped malformed code {code!r} ({name!r})")
        elif code in table and table[code] != name:
            warn(f"{path.name}: duplicate code {code} ({table[code]!r} / {name!r})")
        else:
            table[code] = name
    return table


def read_population(path: Path, current: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """code -> (total, male, female); the national total row '0' is dropped."""
    population: dict[str, tuple[str, str, str]] = {}
    for code, _name, male, female, total in sql_rows(path):
        code = normalise_code(code or "")
        if code in current:
            population[code] = (total or "", male or "", female or "")
        elif code != "0":
            warn(f"{path.name}: population for unknown code {code!r}")
    return population


def read_area(path: Path, current: dict[str, str]) -> dict[str, str]:
    """code -> area in km² as written in the source (keeps the source's precision)."""
    area: dict[str, str] = {}
    for code, name, luas in sql_rows(path):
        fixed = normalise_code(code or "")
        if fixed not in current:
            warn(f"{path.name}: area for unknown code {code!r} ({name!r})")
            continue
        if fixed != code:
            warn(f"{path.name}: code {code!r} read as {fixed} ({name!r} / {current[fixed]!r})")
        area[fixed] = luas or ""
    return area


def archive_tables(source: Path) -> list[tuple[int, dict[str, str]]]:
    """(year, table) for each archive/wilayah_YYYY.sql, oldest first."""
    tables = []
    for path in sorted(source.glob("archive/wilayah_*.sql")):
        year = int(re.fullmatch(r"wilayah_(\d{4})\.sql", path.name)[1])  # type: ignore[index]
        tables.append((year, read_code_table(path)))
    return tables


def historical_rows(current: dict[str, str], archives: list[tuple[int, dict[str, str]]]):
    """Province/kab-kota/kecamatan codes gone from the current table, newest name wins."""
    gone: dict[str, tuple[str, int]] = {}
    for year, table in archives:  # oldest first, so later editions overwrite
        for code, name in table.items():
            if code.count(".") < 3 and code not in current:
                gone[code] = (name, year)
    return [(code, name, str(year)) for code, (name, year) in sorted(gone.items())]


def write_tsv_gz(path: Path, rows: list[tuple[str, ...]]) -> None:
    data = "".join("\t".join(row) + "\n" for row in rows).encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"{path.relative_to(REPO_ROOT)}: {len(rows)} rows, {path.stat().st_size:,} bytes")


def build(source: Path) -> None:
    current = read_code_table(source / "wilayah.sql")
    population = read_population(source / "wilayah_penduduk.sql", current)
    area = read_area(source / "wilayah_luas.sql", current)
    rows = [
        (code, name, *population.get(code, ("", "", "")), area.get(code, ""))
        for code, name in sorted(current.items())
    ]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_tsv_gz(OUT_DIR / "regions.tsv.gz", rows)
    write_tsv_gz(
        OUT_DIR / "historical_regions.tsv.gz", historical_rows(current, archive_tables(source))
    )
    shutil.copyfile(source / "LICENSE", OUT_DIR / "LICENSE-wilayah.txt")
    (OUT_DIR / "SOURCE.md").write_text(SOURCE_MD, encoding="utf-8")


SOURCE_MD = f"""# Region data (Kemendagri codes)

Derived from the public repository [cahyadsn/wilayah](https://github.com/cahyadsn/wilayah),
commit `{SOURCE_COMMIT}`, folder `db/`.
MIT License, copyright Cahya DSN: see `LICENSE-wilayah.txt`, which must ship with these
files.

- `regions.tsv.gz`: one line per current region (province, kab/kota, kecamatan,
  desa/kelurahan): `code`, `name`, `population`, `population_male`, `population_female`,
  `area_km2`, empty where unknown (population and area exist for provinces and kab/kota
  only). From `wilayah.sql` (codes and names, Kepmendagri 300.2.2-2138/2025),
  `wilayah_penduduk.sql` (population, Dukcapil, December 2024) and `wilayah_luas.sql`
  (area, Badan Informasi Geospasial, December 2024).
- `historical_regions.tsv.gz`: province, kab/kota and kecamatan codes found in an earlier
  table but not in the current one: `code`, `name` (from the newest table that has it),
  `last_edition` (year of that table). NIKs issued under these codes stay valid. From
  `archive/wilayah_2016.sql`, `wilayah_2018.sql`, `wilayah_2020.sql`, `wilayah_2022.sql`
  and `wilayah_2023.sql`, compared with `wilayah.sql`.
- `LICENSE-wilayah.txt`: the MIT notice of the source repository.

Both files are UTF-8, tab-separated, no header, sorted by code, gzip'd with mtime 0 so
rebuilding from the same sources produces identical bytes.

Clean-ups applied: runs of whitespace in names are collapsed to one space; area codes
that lost a trailing zero in the source (e.g. `11.1` for `11.10`) are repaired; the
national total row (`0`) of the population file is dropped.

Rebuild (reads the dumps, never executes them):

    .venv/bin/python scripts/build_region_data.py --source /path/to/wilayah/db

Load into the database: `python manage.py load_regions [--skip-villages]`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="wilayah db/ folder")
    build(parser.parse_args().source)


if __name__ == "__main__":
    main()
