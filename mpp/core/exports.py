"""File downloads every app's lists offer. Every CSV the platform writes goes through
`csv_writer`: a cell that starts with = + - @, a tab or a carriage return would be run as
a formula by a spreadsheet (a complaint numbered `=1+1`, or worse `=HYPERLINK(…)`), so
such text is prefixed with an apostrophe, which spreadsheets show as text."""

import csv
from decimal import Decimal

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value as it may go into a CSV cell: numbers as they are, text neutralised."""
    if isinstance(value, (int, float, Decimal)) or value is None:
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _SafeWriter:
    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(csv.DictWriter):
    def _dict_to_list(self, rowdict):
        return [csv_cell(v) for v in super()._dict_to_list(rowdict)]


def csv_writer(out, **kwargs) -> _SafeWriter:
    """csv.writer that neutralises formula-like cells."""
    return _SafeWriter(out, **kwargs)


def csv_dict_writer(out, fieldnames, **kwargs) -> csv.DictWriter:
    """csv.DictWriter that neutralises formula-like cells."""
    return _SafeDictWriter(out, fieldnames=fieldnames, **kwargs)


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV attachment (UTF-8): one header row, then `rows` (iterables of cells)."""
    response = csv_attachment(filename)
    writer = csv_writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def csv_columns_response(filename: str, columns, rows) -> HttpResponse:
    """A CSV of `rows` through a selector's column list [(header, getter), ...]: the one
    place a list's export meets its columns (each app's selectors.py defines them)."""
    header = [name for name, _get in columns]
    return csv_response(filename, header, ([get(row) for _name, get in columns] for row in rows))


def filtered_csv(request, filterset, filename: str, columns) -> HttpResponse | None:
    """The CSV of a list page's filtered rows when asked (`?format=csv`) and the filters
    are valid; None otherwise, and the page renders (its form says what is wrong)."""
    if request.GET.get("format") != "csv" or not filterset.is_valid():
        return None
    return csv_columns_response(filename, columns, filterset.qs)


def csv_attachment(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
