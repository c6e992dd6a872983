import pytest
from django.core.management import CommandError, call_command

from mpp.registry.importers import MallImportError, malls_import, read_csv_rows
from mpp.registry.models import Mall, MallStatus
from mpp.registry.services import DATA_DIR

HEADER = (
    "kode_wilayah,nama_wilayah,nama_mpp,tanggal_peresmian,batch,digital_pilot,"
    "jumlah_layanan,jumlah_instansi,sumber,tanggal_tutup\n"
)


def rows(*lines: str) -> list[dict]:
    return read_csv_rows(HEADER + "\n".join(lines) + "\n")


@pytest.fixture
def empty_registry(db):
    Mall.objects.all().delete()


def test_every_real_mall_from_the_shared_list_is_loaded(db):
    shipped = read_csv_rows(DATA_DIR / "malls.csv")
    assert len(shipped) == 277
    assert Mall.objects.filter(is_demo=False).count() == 277
    sampit = Mall.objects.get(code="mpp-6202")
    assert sampit.regency.name == "Kabupaten Kotawaringin Timur"
    assert sampit.is_digital_pilot and sampit.timezone_name == "Asia/Pontianak"
    assert Mall.objects.filter(is_digital_pilot=True).count() == 21


def test_jakarta_mall_is_province_wide(db):
    jakarta = Mall.objects.get(code="mpp-31")
    assert jakarta.regency is None and jakarta.region_code == "31"
    assert jakarta.timezone_name == "Asia/Jakarta"


def test_loading_the_reference_malls_twice_changes_nothing(db):
    before = list(Mall.objects.order_by("code").values_list("code", "name", "updated_at"))
    summary = malls_import(rows=read_csv_rows(DATA_DIR / "malls.csv"))
    assert summary.created == [] and len(summary.unchanged) == 277
    assert list(Mall.objects.order_by("code").values_list("code", "name", "updated_at")) == before


def test_an_unknown_region_code_names_the_row_and_column(empty_registry):
    with pytest.raises(MallImportError) as caught:
        malls_import(
            rows=rows("62.02,,MPP Kotim,2023-09-26,,0,,,,", "99.99,,MPP Nowhere,2023-09-26,,0,,,,")
        )
    assert [str(e) for e in caught.value.errors] == [
        "row 3, column 'kode_wilayah': unknown region code '99.99'"
    ]


def test_a_broken_row_saves_nothing_at_all(empty_registry):
    with pytest.raises(MallImportError) as caught:
        malls_import(
            rows=rows(
                "62.02,,MPP Kotim,2023-09-26,,0,,,,",
                "73.71,,MPP Makassar,26/09/2023,,0,,,,",
                "31,,MPP DKI,2017-10-12,,0,-5,,,",
            )
        )
    messages = [str(e) for e in caught.value.errors]
    assert (
        "row 3, column 'tanggal_peresmian': expected a date as YYYY-MM-DD, got "
        "'26/09/2023'" in messages
    )
    assert any(m.startswith("row 4, column 'jumlah_layanan'") for m in messages)
    assert Mall.objects.count() == 0


def test_an_inauguration_after_the_closure_is_refused(empty_registry):
    with pytest.raises(MallImportError) as caught:
        malls_import(rows=rows("62.02,,MPP Kotim,2024-05-01,,0,,,,2023-01-01"))
    error = caught.value.errors[0]
    assert (error.row, error.column) == (2, "tanggal_peresmian")
    assert "setelah tanggal penutupan" in error.message  # Indonesian is the default language
    assert Mall.objects.count() == 0


def test_the_same_region_twice_in_one_file_is_refused(empty_registry):
    with pytest.raises(MallImportError) as caught:
        malls_import(rows=rows("62.02,,MPP Kotim,,,0,,,,", "62.02,,MPP Kotim lagi,,,0,,,,"))
    assert str(caught.value.errors[0]) == "row 3, column 'kode_wilayah': same region as row 2"


def test_a_mall_inaugurated_in_the_future_is_planned(empty_registry):
    malls_import(rows=rows("62.02,,MPP Kotim,2099-01-01,,0,,,,"))
    assert Mall.objects.get().status == MallStatus.PLANNED


def test_a_missing_required_column_is_named(empty_registry):
    with pytest.raises(MallImportError) as caught:
        read_csv_rows("kode_wilayah,nama\n62.02,x\n")
    assert str(caught.value) == "row 1, column 'nama_mpp': column missing from the header"


def test_the_import_command_reports_errors_and_imports_nothing(empty_registry, tmp_path):
    broken = tmp_path / "malls.csv"
    broken.write_text(HEADER + "62.02,,MPP Kotim,,,0,,,,\n62.02.99,,X,,,2,,,,\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_malls", str(broken))
    assert "row 3, column 'kode_wilayah': unknown region code '62.02.99'" in str(caught.value)
    assert "row 3, column 'digital_pilot': expected 0 or 1, got '2'" in str(caught.value)
    assert Mall.objects.count() == 0


def test_a_manager_correction_survives_reloading_the_reference_data(mall_sampit):
    mall_sampit.address = "Jl. Jenderal Sudirman, Sampit"
    mall_sampit.save()
    malls_import(rows=read_csv_rows(DATA_DIR / "malls.csv"))
    mall_sampit.refresh_from_db()
    assert mall_sampit.address == "Jl. Jenderal Sudirman, Sampit"
