from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ..nik import nik_birth_date_warning, nik_parse

pytestmark = pytest.mark.django_db


def test_a_mans_nik_gives_region_birth_date_and_sex():
    info = nik_parse("3171011203850002", today=date(2026, 1, 1))
    assert info.province_code == "31" and info.regency_code == "31.71"
    assert info.district_code == "31.71.01" and info.district_name == "Gambir"
    assert info.birth_date == date(1985, 3, 12) and info.sex == "M"
    assert info.serial == "0002" and info.warnings == []


def test_a_womans_nik_has_forty_added_to_the_day():
    info = nik_parse("3171014505900001", today=date(2026, 1, 1))
    assert info.birth_date == date(1990, 5, 5) and info.sex == "F"


def test_a_recent_birth_year_is_read_in_this_century():
    assert nik_parse("3171010101200003", today=date(2026, 1, 1)).birth_date == date(2020, 1, 1)


def test_a_nik_under_an_old_region_code_is_valid_with_a_warning():
    # Merauke was 91.01 (Papua) before South Papua became province 93 in 2022.
    with translation.override("en"):
        info = nik_parse("9101010101800001")
    assert info.regency_name == "KAB. MERAUKE" and info.historical_codes
    assert any("old region code" in w for w in info.warnings)


def test_odd_niks_are_warned_about_not_rejected():
    with translation.override("en"):
        info = nik_parse("9999013213990000")
    assert info.birth_date is None
    assert len(info.warnings) == 3  # unknown province, impossible date, serial 0000


@pytest.mark.parametrize("bad", ["", "123", "31710145059000011", "317101450590000A"])
def test_a_malformed_nik_is_rejected_with_a_clear_error(bad):
    with translation.override("en"), pytest.raises(ValidationError, match="16 digits"):
        nik_parse(bad)


def test_a_corrected_birth_date_keeps_the_nik_and_only_warns():
    info = nik_parse("3171014505900001")
    assert nik_birth_date_warning(info, date(1990, 5, 5)) == ""
    with translation.override("en"):
        warning = nik_birth_date_warning(info, date(1991, 5, 5))
    assert "NIK stays the same" in warning
