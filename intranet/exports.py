"""Downloads as CSV and .xlsx (openpyxl), with the same rows as the pages, for every area.

A cell that a spreadsheet would read as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written as text, with a leading apostrophe: a name
typed into the intranet must never run in the unit's spreadsheet program. A number is no
formula: a credit of -500.00 stays a number, in the .xlsx and in the CSV.

The CSV is written for the reader's spreadsheet: in Swedish with semicolons between the
cells and a decimal comma (-500,00), in English with commas and a decimal point (-500.00);
both start with a byte-order mark, so that Excel reads the UTF-8 (å, ä, ö) as UTF-8. A
number in a CSV has no thousands separator and a plain hyphen-minus: that is what a
spreadsheet reads as a number (5100,5). The .xlsx keeps numbers as numbers, and an amount
or a share carries the number format a spreadsheet shows it with.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from flask import Response, abort
from openpyxl import Workbook

from .formatting import is_number, number_locale

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# Excel's number formats; the spreadsheet shows them with the reader's own separators.
KRONOR_FORMAT = '#,##0.00 "kr"'
PERCENT_FORMAT = "0%"


@dataclass(frozen=True)
class Cell:
    """A number with the format a spreadsheet should show it in (kronor, a percentage)."""

    value: int | float | Decimal
    number_format: str


def kronor(value) -> Cell | None:
    """An amount as a number in kronor and öre ("1 616,00 kr" in the spreadsheet)."""
    if value is None:
        return None
    return Cell(Decimal(str(value)).quantize(Decimal("0.01")), KRONOR_FORMAT)


def percent(fraction) -> Cell | None:
    """A fraction (0.41) as a percentage ("41 %" in the spreadsheet)."""
    return None if fraction is None else Cell(fraction, PERCENT_FORMAT)


def safe_cell(value):
    """``value`` as a spreadsheet should show it: text that looks like a formula stays text;
    a number (-500, Decimal("-500.00")) is left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe(row) -> list:
    return [safe_cell(value) for value in row]


@dataclass(frozen=True)
class CsvStyle:
    """How a CSV is written for a language's spreadsheets."""

    delimiter: str
    decimal: str


SWEDISH_CSV = CsvStyle(delimiter=";", decimal=",")
ENGLISH_CSV = CsvStyle(delimiter=",", decimal=".")


def csv_style() -> CsvStyle:
    """The CSV for the reader's language: Swedish, or English for any other."""
    return SWEDISH_CSV if number_locale().language == "sv" else ENGLISH_CSV


def csv_number(value, style: CsvStyle) -> str:
    """A number as a spreadsheet of ``style`` reads it: no thousands separator, the
    decimal comma or point, a plain minus ("-500,00"); a whole float loses its ".0"."""
    if isinstance(value, float):
        value = Decimal(repr(value))
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    if text.startswith("-") and not text.strip("-0.").strip():
        text = text[1:]  # no "-0,00"
    return text.replace(".", style.decimal)


def _csv_value(value, style: CsvStyle):
    if isinstance(value, Cell):
        if value.number_format == PERCENT_FORMAT:
            return csv_number(Decimal(str(value.value)) * 100, style) + "%"
        value = value.value
    if is_number(value):
        return csv_number(value, style)
    return value


def csv_response(filename: str, header: list, rows: list) -> Response:
    """A CSV download for the reader's spreadsheet (see the module's note)."""
    style = csv_style()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter)
    for row in [header, *rows]:
        writer.writerow([_csv_value(value, style) for value in _safe(row)])
    return Response(
        BOM + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _write(sheet, number: int, row) -> None:
    """Row ``number`` of the sheet: numbers as numbers, amounts and shares with their
    number format."""
    for column, value in enumerate(_safe(row), start=1):
        cell = sheet.cell(row=number, column=column)
        if isinstance(value, Cell):
            cell.value, cell.number_format = value.value, value.number_format
        else:
            cell.value = value


def xlsx_response(filename: str, sheets: list[tuple[str, list, list]]) -> Response:
    """An .xlsx download with one sheet per (title, header, rows)."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for number, row in enumerate([header, *rows], start=1):
            _write(sheet, number, row)
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
