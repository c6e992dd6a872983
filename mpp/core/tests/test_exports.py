"""One CSV writer for every export: formula-like text is neutralised, numbers are not."""

import csv
import io

from mpp.core.exports import csv_cell, csv_dict_writer, csv_writer


def test_formula_like_cells_are_neutralised():
    for value in ["=1+1", "+62812", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")']:
        assert csv_cell(value) == "'" + value
    assert csv_cell("Dukcapil — KTP") == "Dukcapil — KTP"
    assert csv_cell(-5) == -5 and csv_cell(3.5) == 3.5 and csv_cell(None) is None


def test_the_writers_write_neutralised_rows():
    out = io.StringIO()
    csv_writer(out).writerow(["=1+1", 7, "ok"])
    csv_dict_writer(out, fieldnames=["a", "b"]).writerow({"a": "@x", "b": -1})
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=1+1", "7", "ok"], ["'@x", "-1"]]
