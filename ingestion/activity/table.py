"""Load a CSV or XLSX export into one dictionary-encoded text column per canonical field.

Shared by the activity and satisfaction readers. Every value stays text here (parsing is
the readers' job); each row keeps the sheet and the 1-based line or row number a user sees
in an editor or in Excel, header counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ingestion.errors import InputError
from ingestion.textfiles import decode_text, find_header_row, match_columns, normalise_label, sniff_delimiter

_XLSX_MAGIC = b"PK\x03\x04"
_HEADER_SCAN = 30


@dataclass
class RawTable:
    """Text of the wanted fields, one dictionary-encoded arrow array each, and where every row came from.

    ``columns`` has an array per field found in the header; ``source_sheet`` (None for CSV)
    and ``source_row`` give each row's place; ``labels`` maps each sheet to the header label
    of each field, so that rejects name the column as the user wrote it.
    """

    columns: dict[str, pa.DictionaryArray]
    source_sheet: np.ndarray
    source_row: np.ndarray
    labels: dict[str | None, dict[str, str]]

    def __len__(self) -> int:
        return len(self.source_row)

    def has(self, field: str) -> bool:
        """Whether the header held ``field``."""
        return field in self.columns


def load_table(
    path: Path,
    synonyms: Mapping[str, Iterable[str]],
    required: Iterable[str],
    *,
    header_synonyms: Mapping[str, Iterable[str]] | None = None,
) -> RawTable:
    """Read ``path`` (CSV in any of the accepted dialects, or XLSX) into a ``RawTable``.

    ``header_synonyms`` (default ``synonyms``) is what locates the header row and checks the
    ``required`` fields; ``synonyms`` then picks the columns. Raises ``InputError`` for
    file-level problems: empty, not text, unreadable workbook, missing or duplicated
    columns, no data rows.
    """
    path = Path(path)
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == _XLSX_MAGIC or path.suffix.lower() in {".xlsx", ".xlsm"}:
        table = _load_xlsx(path, synonyms, required, header_synonyms or synonyms)
    else:
        table = _load_csv(path, synonyms, required, header_synonyms or synonyms)
    if not len(table):
        raise InputError("no data rows under the header", file=path)
    return table


def _load_csv(path, synonyms, required, header_synonyms) -> RawTable:
    try:
        return _load_csv_checked(path, synonyms, required, header_synonyms)
    except csv.Error as error:
        raise InputError(f"malformed CSV: {error}", file=path) from None


# A field as large as the file itself is legal CSV (a pasted comment): never refuse it.
csv.field_size_limit(1 << 30)


def _load_csv_checked(path, synonyms, required, header_synonyms) -> RawTable:
    text, utf8 = _decode(path)
    # the helper splits all the text it is given into lines: the head is enough
    delimiter = sniff_delimiter(text[:65536])
    head_lines = [line.rstrip("\r") for line in text[: 1 << 20].split("\n", _HEADER_SCAN)[:_HEADER_SCAN]]
    head_rows = [next(csv.reader([line], delimiter=delimiter), []) for line in head_lines]
    header_index = _find_header(head_rows, header_synonyms, required, file=path, sheet=None)
    header = head_rows[header_index]
    _check_duplicates(header, file=path, sheet=None, row=header_index + 1)
    positions = match_columns(header, synonyms)
    try:
        columns, rows = _read_csv_fast(text, utf8, delimiter, header_index, len(header), positions)
    except pa.ArrowInvalid:
        columns, rows = _read_csv_tolerant(text, delimiter, header_index, positions, path)
    columns, rows = _drop_blank_rows(columns, rows)
    labels = {None: {field: str(header[i]).strip() for field, i in positions.items()}}
    return RawTable(columns, np.full(len(rows), None, dtype=object), rows, labels)


_CONTROL_BYTES = bytes(set(range(0, 9)) | {11, 12} | set(range(14, 32)))


def _decode(path: Path) -> tuple[str, bytes]:
    """``decode_text`` with a cheap check first, plus the text as UTF-8 bytes (the file's own
    bytes when it is UTF-8). Anything doubtful goes to ``decode_text`` so that the error says
    the same thing everywhere."""
    data = path.read_bytes()
    sample = data[:65536]
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if data and not data.isspace() and b"\x00" not in sample and control <= len(sample) // 100:
        try:
            text = data.decode("utf-8-sig")
            return text, data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("cp1252")
            return text, text.encode("utf-8")
        except UnicodeDecodeError:
            pass
    text = decode_text(path)
    return text, text.encode("utf-8")


def _read_csv_fast(text: str, utf8: bytes, delimiter: str, header_index: int, width: int, positions):
    """pyarrow's multi-threaded parser straight into dictionary columns (the common path)."""
    names = [f"c{i}" for i in range(width)]
    wanted = {f"c{i}": field for field, i in positions.items()}
    blank_lines = 0

    def on_invalid(row) -> str:
        nonlocal blank_lines
        if row.text.strip(" \t\r" + delimiter) == "":
            blank_lines += 1
            return "skip"
        return "error"  # a short or long line: pandas' parser below copes with those

    dictionary = pa.dictionary(pa.int32(), pa.string())
    table = pa_csv.read_csv(
        io.BytesIO(utf8),
        # one block per core: fewer chunks means fewer dictionaries to unify afterwards
        read_options=pa_csv.ReadOptions(
            skip_rows=header_index + 1,
            column_names=names,
            block_size=min(max(1 << 20, len(utf8) // pa.cpu_count() + 1), 1 << 28),
        ),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: dictionary for name in wanted},
            include_columns=list(wanted),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    table = table.unify_dictionaries().combine_chunks()
    columns = {field: _single_chunk(table.column(name)) for name, field in wanted.items()}
    body = text.rstrip()
    # pyarrow drops empty lines silently; only then do line numbers need a recount
    if blank_lines or "\n\n" in body or "\n\r\n" in body:
        rows = _non_blank_line_numbers(text, header_index, delimiter, width)[: table.num_rows]
    else:
        rows = np.arange(header_index + 2, header_index + 2 + table.num_rows, dtype=np.int64)
    return columns, rows


def _single_chunk(column: pa.ChunkedArray) -> pa.DictionaryArray:
    if column.num_chunks == 1:
        return column.chunk(0)
    if column.num_chunks == 0:
        return pa.array([], pa.string()).dictionary_encode()
    return pa.concat_arrays(column.chunks)


def _non_blank_line_numbers(text: str, header_index: int, delimiter: str, width: int) -> np.ndarray:
    """Line numbers of the lines pyarrow keeps: not blank, and not a short run of delimiters."""
    numbers = []
    for offset, line in enumerate(text.split("\n")[header_index + 1 :]):
        content = line.strip(" \t\r")
        if not content:
            continue
        if content.strip(delimiter) == "" and line.count(delimiter) + 1 != width:
            continue
        numbers.append(header_index + 2 + offset)
    return np.asarray(numbers, dtype=np.int64)


def _read_csv_tolerant(text, delimiter, header_index, positions, path):
    """pandas' C parser, which pads short lines; for files with ragged rows."""
    width = max(positions.values()) + 1
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            skiprows=header_index + 1,
            usecols=range(width),
            names=range(width),
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            index_col=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"malformed CSV: {str(exc).strip()}", file=path) from None
    frame = frame.fillna("")
    columns = {field: _encode(frame[i].tolist()) for field, i in positions.items()}
    return columns, np.arange(header_index + 2, header_index + 2 + len(frame), dtype=np.int64)


def _encode(values: list[str]) -> pa.DictionaryArray:
    return pa.array(values, type=pa.string()).dictionary_encode()


def _drop_blank_rows(columns: dict[str, pa.DictionaryArray], rows: np.ndarray, sheets: np.ndarray | None = None):
    blank = np.ones(len(rows), dtype=bool)
    for column in columns.values():
        blank &= is_blank(column)
    if not blank.any():
        return (columns, rows) if sheets is None else (columns, rows, sheets)
    keep = ~blank
    mask = pa.array(keep)
    columns = {field: column.filter(mask) for field, column in columns.items()}
    return (columns, rows[keep]) if sheets is None else (columns, rows[keep], sheets[keep])


def is_blank(column: pa.DictionaryArray) -> np.ndarray:
    """Boolean mask of the empty or whitespace-only cells of a dictionary-encoded text column."""
    blank = pc.equal(pc.utf8_trim_whitespace(column.dictionary), "").to_numpy(zero_copy_only=False)
    return blank[column.indices.to_numpy(zero_copy_only=False)]


def _find_header(rows, synonyms, required, *, file, sheet) -> int:
    """``find_header_row``, naming the expected columns as a user writes them when none is found."""
    try:
        return find_header_row(rows, synonyms, required, file=file, sheet=sheet, scan=_HEADER_SCAN)
    except InputError as exc:
        if exc.column is not None:
            raise
        expected = ", ".join(next(iter(synonyms[field]), field) for field in required)
        raise InputError(f"no header row found (expected columns {expected})", file=file, sheet=sheet) from None


def _check_duplicates(header, *, file, sheet, row) -> None:
    seen = set()
    for name in header:
        key = normalise_label(name)
        if key and key in seen:
            raise InputError(f"duplicated column name {str(name).strip()!r} in the header", file=file, sheet=sheet, row=row, column=str(name).strip())
        seen.add(key)


def _load_xlsx(path, synonyms, required, header_synonyms) -> RawTable:
    parts, labels, errors = [], {}, []
    for sheet, rows in _read_workbook(path).items():
        try:
            header_index = _find_header(rows, header_synonyms, required, file=path, sheet=sheet)
        except InputError as exc:
            errors.append(exc)
            continue
        header = rows[header_index]
        _check_duplicates(header, file=path, sheet=sheet, row=header_index + 1)
        positions = match_columns(header, synonyms)
        body = rows[header_index + 1 :]
        columns = {field: [_cell_text(r[i]) if i < len(r) else "" for r in body] for field, i in positions.items()}
        numbers = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
        parts.append((sheet, columns, numbers))
        labels[sheet] = {field: str(header[i]).strip() for field, i in positions.items()}
    if not parts:
        # prefer the message naming a missing column over "no header row found"
        errors.sort(key=lambda exc: exc.column is None)
        raise errors[0]
    fields = list(dict.fromkeys(field for _, columns, _ in parts for field in columns))
    columns = {
        field: _encode([value for _, part, numbers in parts for value in part.get(field, [""] * len(numbers))])
        for field in fields
    }
    rows = np.concatenate([numbers for _, _, numbers in parts])
    sheets = np.concatenate([np.full(len(numbers), sheet, dtype=object) for sheet, _, numbers in parts])
    columns, rows, sheets = _drop_blank_rows(columns, rows, sheets)
    return RawTable(columns, sheets, rows, labels)


def _read_workbook(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet from A1, empty rows kept so that list index + 1 is the Excel row number."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = {
            name: [list(row) for row in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)]
            for name in workbook.sheet_names
        }
    except Exception as exc:  # calamine raises several types for truncated or non-XLSX files
        raise InputError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})", file=path) from None
    if not sheets:
        raise InputError("the workbook has no sheets", file=path)
    return sheets


def _cell_text(value: object) -> str:
    """Spreadsheet cell as the text a CSV export would hold (dates ISO, 12.0 as 12)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
