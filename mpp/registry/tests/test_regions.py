"""The Kemendagri region tables load completely, correctly and repeatably.

The exact numbers come from the shipped data (Kepmendagri 300.2.2-2138/2025, Dukcapil
population December 2024); the root conftest may already have loaded the regions without
villages, which regions_load tolerates because it is idempotent.
"""

import gzip
from pathlib import Path

import pytest
from django.db.models import Sum

from mpp.registry import region_loader
from mpp.registry.models import (
    District,
    HistoricalRegion,
    Province,
    Regency,
    RegencyKind,
    RegionLevel,
    Village,
)
from mpp.registry.region_loader import regions_load

VILLAGES = 83_762
KAB_KOTA_POPULATION = 284_973_643

pytestmark = pytest.mark.django_db


def db_counts() -> dict[str, int]:
    models = [Province, Regency, District, Village, HistoricalRegion]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="module")
def regions(django_db_setup, django_db_blocker) -> dict[str, int]:
    """Regions without villages, enough for most tests, loaded once for the module and
    kept like the root conftest keeps them (a no-op when it has loaded them already)."""
    with django_db_blocker.unblock():
        return regions_load(include_villages=False)


def test_a_full_load_creates_every_province_kab_kota_kecamatan_and_village():
    counts = regions_load()

    expected = {"Province": 38, "Regency": 514, "District": 7_285, "Village": VILLAGES}
    assert {name: counts[name] for name in expected} == expected
    assert {name: db_counts()[name] for name in expected} == expected


def test_kab_kota_split_into_416_kabupaten_and_98_kota(regions):
    assert Regency.objects.filter(kind=RegencyKind.KABUPATEN).count() == 416
    assert Regency.objects.filter(kind=RegencyKind.KOTA).count() == 98
    assert Regency.objects.get(code="62.02").kind == RegencyKind.KABUPATEN
    assert Regency.objects.get(code="62.71").kind == RegencyKind.KOTA


def test_regions_know_their_parents(regions):
    assert Regency.objects.get(code="62.02").province.name == "Kalimantan Tengah"
    assert District.objects.get(code="62.02.01").regency_id == "62.02"


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("62.02", "Asia/Pontianak"),
        ("61.71", "Asia/Pontianak"),
        ("73.71", "Asia/Makassar"),
        ("91.71", "Asia/Jayapura"),
        ("31.71", "Asia/Jakarta"),
        ("11.01", "Asia/Jakarta"),
    ],
)
def test_each_kab_kota_lies_in_its_time_zone(regions, code, zone):
    assert Regency.objects.get(code=code).timezone == zone


@pytest.mark.parametrize(
    ("code", "zone"),
    [("61", "Asia/Pontianak"), ("73", "Asia/Makassar"), ("91", "Asia/Jayapura"),
     ("31", "Asia/Jakarta"), ("11", "Asia/Jakarta")],
)  # fmt: skip
def test_each_province_stores_its_time_zone(regions, code, zone):
    assert Province.objects.get(code=code).timezone == zone


def test_populations_add_up_to_the_national_total(regions):
    by_kab_kota = Regency.objects.aggregate(total=Sum("population"))["total"]
    by_province = Province.objects.aggregate(total=Sum("population"))["total"]

    assert by_kab_kota == by_province == KAB_KOTA_POPULATION
    assert not Regency.objects.filter(population__isnull=True).exists()


def test_kab_kota_have_male_female_population_and_area(regions):
    merauke = Regency.objects.get(code="93.01")

    assert merauke.name == "Kabupaten Merauke"
    assert merauke.population_male + merauke.population_female == merauke.population
    assert merauke.area_km2 == pytest.approx(45_016.452)
    assert not Regency.objects.filter(area_km2__isnull=True).exists()


def test_area_codes_that_lost_a_trailing_zero_in_the_source_are_repaired(regions):
    # wilayah_luas.sql writes Aceh Singkil as "11.1" and Jakarta as "31.0".
    assert Regency.objects.get(code="11.10").area_km2 == pytest.approx(1_851.615)
    assert Province.objects.get(code="31").area_km2 is not None


def test_codes_renumbered_when_papua_was_split_remain_known(regions):
    # Merauke was 91.01 (Papua) until Papua Selatan (93) was created in 2022.
    merauke = HistoricalRegion.objects.get(code="91.01")

    assert (merauke.name, merauke.level, merauke.last_edition) == (
        "KAB. MERAUKE",
        RegionLevel.REGENCY,
        2022,
    )
    assert HistoricalRegion.objects.get(code="91.01.01").level == RegionLevel.DISTRICT
    assert HistoricalRegion.objects.get(code="92.01").last_edition == 2023  # now 96.01
    assert not HistoricalRegion.objects.filter(code__in=Regency.objects.values("code")).exists()
    assert HistoricalRegion.objects.count() == 620


def test_loading_twice_leaves_the_counts_unchanged():
    regions_load()
    before = db_counts()

    again = regions_load()

    assert db_counts() == before
    assert again == before
    assert before["Village"] == VILLAGES


def test_loading_reports_progress(regions):
    messages: list[str] = []

    regions_load(include_villages=False, progress=messages.append)

    assert any("District: 7,285 rows" in message for message in messages)
    assert "Village: skipped" in messages


def write_gz(path: Path, lines: list[str]) -> None:
    path.write_bytes(gzip.compress("".join(line + "\n" for line in lines).encode()))


def test_a_region_whose_parent_is_missing_is_refused_with_its_line(tmp_path, monkeypatch):
    write_gz(
        tmp_path / region_loader.REGIONS_FILE,
        ["62\tKalimantan Tengah\t\t\t\t", "62.02\tKotawaringin Timur\t\t\t\t",
         "62.99.01\tNowhere\t\t\t\t"],
    )  # fmt: skip
    write_gz(tmp_path / region_loader.HISTORICAL_FILE, [])
    monkeypatch.setattr(region_loader, "DATA_DIR", tmp_path)
    before = db_counts()

    with pytest.raises(ValueError, match=r"line 3: region 62\.99\.01 .*missing parent 62\.99"):
        regions_load()

    assert db_counts() == before
