"""An extract table as an XLSX workbook a person can read: a Lisez-moi sheet, then the data sheet
with a frozen header, filters, fitted column widths and number formats (openpyxl, write-only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ingestion.errors import InputError
from orchestration.extract_cells import table_rows, xlsx_value
from orchestration.extract_columns import is_measure, measure_rule, xlsx_format
from orchestration.extract_readme import README_SHEET

XLSX_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows less the header
MIN_WIDTH, MAX_WIDTH = 8, 50
README_WIDTHS = (28, 110)
SHEET_NAME_LENGTH = 31


def _content_width(column: pa.ChunkedArray, name: str) -> int:
    data_type = column.type
    if pa.types.is_boolean(data_type):
        return 5
    if pa.types.is_timestamp(data_type):
        return 19
    if pa.types.is_date(data_type):
        return 10
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        longest = pc.max(pc.utf8_length(column)).as_py()
        return longest or 0
    if pa.types.is_integer(data_type) or pa.types.is_decimal(data_type) or pa.types.is_floating(data_type):
        extremes = pc.min_max(column).as_py() if len(column) else {"min": None, "max": None}
        largest = max((abs(float(v)) for v in extremes.values() if v is not None), default=0.0)
        if largest != largest:  # NaN only
            largest = 0.0
        if is_measure(data_type):
            rule = measure_rule(name)
            if rule.xlsx_format.endswith("%"):
                return len(f"{largest * 100:,.1f}%") + 1
            return len(f"{largest:,.{rule.decimals}f}") + 1
        return len(f"{int(largest):,}") + 1
    return MIN_WIDTH


def column_widths(table: pa.Table) -> list[int]:
    """A width per column fitting its header and its longest shown value, between 8 and 50 characters."""
    return [
        max(MIN_WIDTH, min(MAX_WIDTH, max(len(field.name), _content_width(table.column(index), field.name)) + 2))
        for index, field in enumerate(table.schema)
    ]


def _write_readme(workbook: Workbook, rows: Iterable[tuple[str, str]]) -> None:
    sheet = workbook.create_sheet(README_SHEET)
    for index, width in enumerate(README_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, (label, text) in enumerate(rows):
        label_cell = WriteOnlyCell(sheet, value=xlsx_value(label))
        label_cell.font = Font(bold=True, size=14 if number == 0 else 11)
        label_cell.alignment = Alignment(vertical="top")
        text_cell = WriteOnlyCell(sheet, value=xlsx_value(text))
        text_cell.alignment = wrap
        for cell in (label_cell, text_cell):
            cell.data_type = "s"
        sheet.append([label_cell, text_cell])


def write_xlsx(table: pa.Table, path: Path, sheet: str, readme: Iterable[tuple[str, str]]) -> None:
    """Write ``table`` to ``path`` as a workbook: first the Lisez-moi sheet (``readme`` rows of label
    and text), then the sheet ``sheet`` with a bold frozen header, an auto-filter over the data,
    fitted column widths and each column's number format (``extract_columns.xlsx_format``).

    Text is neutralised and never a formula; a table beyond one sheet's rows is refused.
    """
    if table.num_rows > XLSX_MAX_ROWS:
        raise InputError(f"{sheet} has {table.num_rows} rows, more than an xlsx sheet holds: use csv or parquet")
    workbook = Workbook(write_only=True)
    _write_readme(workbook, readme)
    worksheet = workbook.create_sheet(sheet[:SHEET_NAME_LENGTH])
    # Write-only sheets take their views and column widths before the first row.
    worksheet.freeze_panes = "A2"
    for index, width in enumerate(column_widths(table), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for name in table.column_names:
        cell = WriteOnlyCell(worksheet, value=xlsx_value(name))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    formats = [xlsx_format(field.name, field.type) for field in table.schema]
    for row in table_rows(table):
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            value = xlsx_value(value)
            if value is None:
                cells.append(None)
                continue
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # belt and braces: never a formula, whatever the text
            elif isinstance(value, (int, float, Decimal, date)) and not isinstance(value, bool) and number_format:
                cell.number_format = number_format
            cells.append(cell)
        worksheet.append(cells)
    last_column = get_column_letter(max(table.num_columns, 1))
    worksheet.auto_filter.ref = f"A1:{last_column}{table.num_rows + 1}"
    workbook.save(path)
