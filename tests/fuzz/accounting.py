"""Counting the data rows of a (mutated) file without the readers' code.

The accounting rule every fuzz test checks, for a file the reader accepts:

    rows read = rows loaded + rows quarantined

* **rows read** are counted here, from the bytes: text is decoded as the readers document
  it (UTF-8, BOM optional, else cp1252) and cut into records by Python's ``csv`` module:
  quoted line ends stay inside their record, and a record's number is the line it starts
  on, lines ending as ``csv`` ends them (``\\n``, ``\\r\\n`` or a lone ``\\r``). Workbooks are read back with openpyxl (not calamine, which the readers use).
  The header is the first record (within the first 30 lines or rows) that holds every
  required column, names compared without case, accents or punctuation; for the activity
  and satisfaction exports, whose title rows are free text, it is the first such *line*,
  read alone, as those readers document, and the records start on the next line.
  A **data row** is any record or sheet row after the header with at least one non-blank
  cell, in any column: only entirely blank lines (or lines of delimiters and spaces) and
  empty sheet rows may be skipped silently. What a reader filters by design is named in
  its test (the barometer keeps one indicator's rows).
* **rows loaded** are the reader's good rows, **rows quarantined** the distinct source rows
  of its rejects that are not among the loaded ones (a loaded row with a note counts once,
  as loaded; a rejected row with three reasons counts once).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

csv.field_size_limit(1 << 30)
HEADER_SCAN = 30


def normalise(label: object) -> str:
    """Lower case, no accents, runs of anything but letters and digits as one space."""
    text = unicodedata.normalize("NFKD", "" if label is None else str(label))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def decode(data: bytes) -> str | None:
    """The text as the readers promise to read it, or None when it is neither UTF-8 nor cp1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


@dataclass(frozen=True)
class Record:
    line: int  # 1-based line the record starts on
    cells: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return all(not cell.strip() for cell in self.cells)


def csv_records(text: str, delimiter: str) -> list[Record]:
    """Every record of ``text`` (blank ones included) with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, next_line = [], 1
    for cells in reader:
        records.append(Record(next_line, tuple(cells)))
        next_line = reader.line_num + 1
    return records


def has_labels(cells: Iterable[object], labels: Sequence[Sequence[str]]) -> bool:
    """Whether ``cells`` hold, for each entry of ``labels``, one of its alternatives."""
    present = {normalise(cell) for cell in cells}
    return all(any(normalise(option) in present for option in options) for options in labels)


def header_index(records: Sequence[Record], labels: Sequence[Sequence[str]]) -> int | None:
    """Index of the first record starting within the first 30 lines that holds every label."""
    for index, record in enumerate(records):
        if record.line > HEADER_SCAN:
            break
        if has_labels(record.cells, labels):
            return index
    return None


_LINE_END = re.compile(r"\r\n|\r|\n")


def lines_of(text: str) -> list[str]:
    """The lines of ``text``, ended as ``csv`` ends them."""
    return _LINE_END.split(text)


def header_line(text: str, delimiter: str, labels: Sequence[Sequence[str]]) -> int | None:
    """0-based index of the first of the first 30 lines that, read alone, holds every label."""
    for index, line in enumerate(lines_of(text)[:HEADER_SCAN]):
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        if has_labels(cells, labels):
            return index
    return None


def records_after_line(text: str, delimiter: str, index: int) -> list[Record]:
    """The records of the text under its line ``index`` (0-based), numbered by the file's lines."""
    pieces = _LINE_END.split(text, index + 1)
    if len(pieces) <= index + 1:
        return []
    body = text[len(text) - len(pieces[index + 1]) :]
    return [Record(record.line + index + 1, record.cells) for record in csv_records(body, delimiter)]


def data_records(records: Sequence[Record], header: int) -> list[Record]:
    """The non-blank records after the header."""
    return [record for record in records[header + 1 :] if not record.blank]


def is_blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def grid_data_rows(rows: Sequence[Sequence[object]], labels: Sequence[Sequence[str]]) -> tuple[int | None, list[int]]:
    """(header row index, 1-based numbers of the non-empty rows under it) of one sheet's rows."""
    for index, row in enumerate(rows[:HEADER_SCAN]):
        if has_labels(row, labels):
            data = [
                number
                for number, cells in enumerate(rows[index + 1 :], start=index + 2)
                if not all(is_blank_cell(cell) for cell in cells)
            ]
            return index, data
    return None, []


def read_back_workbook(path) -> dict[str, list[list[object]]] | None:
    """Every sheet's rows from A1 as openpyxl reads them; None when openpyxl cannot read the file."""
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, data_only=True)
            return {
                sheet.title: [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
                for sheet in workbook.worksheets
            }
    except Exception:  # any failure: the oracle cannot vouch for the file
        return None


def distinct_rejected(reject_keys: Iterable[object], loaded_keys: Iterable[object]) -> set:
    """Source rows of the rejects that are not among the loaded rows."""
    return set(reject_keys) - set(loaded_keys)
