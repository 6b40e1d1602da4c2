"""Downloads as CSV and .xlsx (openpyxl), with the same rows as the pages, for every area.

A cell that a spreadsheet would read as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written as text, with a leading apostrophe: a name
typed into the intranet must never run in the unit's spreadsheet program.
"""

import csv
import io

from flask import Response, abort
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet should show it: text that looks like a formula stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe(row) -> list:
    return [safe_cell(value) for value in row]


def csv_response(filename: str, header: list, rows: list) -> Response:
    """A CSV download; semicolons, as Swedish spreadsheets expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_safe(header))
    writer.writerows(_safe(row) for row in rows)
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def xlsx_response(filename: str, sheets: list[tuple[str, list, list]]) -> Response:
    """An .xlsx download with one sheet per (title, header, rows)."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(_safe(header))
        for row in rows:
            sheet.append(_safe(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def download(fmt: str, stem: str, title: str, header: list, rows: list) -> Response:
    """A list page's download as ``stem.csv`` or ``stem.xlsx`` (one sheet called ``title``);
    any other format is 404."""
    if fmt == "csv":
        return csv_response(f"{stem}.csv", header, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", [(title, header, rows)])
    abort(404)
