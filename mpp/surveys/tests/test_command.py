"""python manage.py skm_index --responses FILE.csv [--weights] [--json]"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

HEADER = "U1,U2,U3,U4,U5,U6,U7,U8,U9\n"


def run(*args) -> str:
    out = io.StringIO()
    call_command("skm_index", *args, stdout=out)
    return out.getvalue()


def test_prints_nrr_ikm_grade_and_label(tmp_path):
    path = tmp_path / "skm.csv"
    path.write_text(HEADER + "4,4,4,4,4,4,4,4,4\n3,3,3,3,3,3,3,3,2\n")
    out = run("--responses", str(path))
    assert "U9         3.0000     0.3333" in out
    # (8 × 3.5 + 3) / 9 × 25 = 86.1111… → 86.11, B
    assert "IKM      86.11" in out and "Grade    B (Baik)" in out


@pytest.mark.parametrize(
    "weights, ikm", [("exact", "86.11"), ("0.111", "86.03"), ("0.11", "85.25")]
)
def test_three_weight_modes_in_json(tmp_path, weights, ikm):
    path = tmp_path / "skm.csv"
    path.write_text(HEADER + "4,4,4,4,4,4,4,4,4\n3,3,3,3,3,3,3,3,2\n")
    data = json.loads(run("--responses", str(path), "--weights", weights, "--json"))
    assert (data["ikm"], data["respondents"], data["weights"]) == (ikm, 2, weights)


def test_a_broken_row_names_row_and_column(tmp_path):
    path = tmp_path / "skm.csv"
    path.write_text(HEADER + "4,4,4,4,4,4,4,4,4\n4,4,4,4,4,9,4,4,4\n")
    with pytest.raises(CommandError, match="Baris 3, kolom U6"):
        run("--responses", str(path))


def test_the_2004_method_reads_14_columns(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(",".join(f"U{i}" for i in range(1, 15)) + "\n" + ",".join(["3"] * 14) + "\n")
    data = json.loads(run("--responses", str(path), "--method", "2004", "--json"))
    assert (data["ikm"], data["grade"]) == ("75.00", "B")
