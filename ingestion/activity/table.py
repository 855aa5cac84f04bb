"""Load a CSV or XLSX export into one dictionary-encoded text column per canonical field.

Shared by the activity and satisfaction readers. Every value stays text here (parsing is
the readers' job); each row keeps the sheet and the 1-based line or row number a user sees
in an editor or in Excel, header counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ingestion.errors import InputError
from ingestion.textfiles import (
    SNIFF_LINES,
    decode_text,
    find_header_row,
    match_columns,
    normalise_label,
    sniff_delimiter,
)

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


def head_rows(path: Path, limit: int = _HEADER_SCAN) -> dict[str | None, list[list[object]]]:
    """The first ``limit`` rows of a CSV (key None) or of each sheet of an XLSX, as the readers
    see them when they look for the header; ``InputError`` when the file is not readable."""
    path = Path(path)
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == _XLSX_MAGIC or path.suffix.lower() in {".xlsx", ".xlsm"}:
        return {sheet: rows[:limit] for sheet, rows in _read_workbook(path).items()}
    source = _read_source(path)
    delimiter = _sniff(source)
    return {None: [next(csv.reader([line], delimiter=delimiter), []) for line in source.head_lines(limit)]}


def _load_csv(path, synonyms, required, header_synonyms) -> RawTable:
    try:
        return _load_csv_checked(path, synonyms, required, header_synonyms)
    except csv.Error as error:
        raise InputError(f"malformed CSV: {_csv_problem(error)}", file=path) from None


# A field as large as the file itself is legal CSV (a pasted comment): never refuse it.
csv.field_size_limit(1 << 30)


def _load_csv_checked(path, synonyms, required, header_synonyms) -> RawTable:
    source = _read_source(path)
    delimiter = _sniff(source)
    head_rows = [next(csv.reader([line], delimiter=delimiter), []) for line in source.head_lines(_HEADER_SCAN)]
    header_index = _find_csv_header(head_rows, header_synonyms, required, path)
    header = head_rows[header_index]
    positions = _checked_positions(header, synonyms, path, header_index + 1)
    columns, rows = _read_columns(source, delimiter, header_index, len(header), positions, path)
    columns, rows = _drop_blank_rows(
        columns, rows, entirely_blank=lambda candidates: _blank_lines(source, delimiter, rows[candidates])
    )
    labels = {None: {field: str(header[i]).strip() for field, i in positions.items()}}
    return RawTable(columns, np.full(len(rows), None, dtype=object), rows, labels)


# Exports of one kind share their header line: what was learnt from it is kept per line, so
# that each file costs a dict lookup instead of normalising every label again.
_HEADER_CACHE_LIMIT = 10_000
_MATCHES: dict[tuple, dict[str, int]] = {}
_GOOD_HEADERS: set[tuple] = set()


def _find_csv_header(head_rows, synonyms, required, path) -> int:
    """``_find_header``, with the rows' column matches looked up in ``_MATCHES`` first."""
    frozen = _freeze(synonyms)
    for index, row in enumerate(head_rows[:_HEADER_SCAN]):
        found = _cached_match(row, synonyms, frozen)
        if all(field in found for field in required):
            return index
    return _find_header(head_rows, synonyms, required, file=path, sheet=None)


def _checked_positions(header, synonyms, path, row: int) -> dict[str, int]:
    """``_check_duplicates`` then ``match_columns`` on a CSV header, each done once per distinct header."""
    key = tuple(header)
    if key not in _GOOD_HEADERS:
        _check_duplicates(header, file=path, sheet=None, row=row)
        if len(_GOOD_HEADERS) > _HEADER_CACHE_LIMIT:
            _GOOD_HEADERS.clear()
        _GOOD_HEADERS.add(key)
    return dict(_cached_match(header, synonyms, _freeze(synonyms)))


def _cached_match(row, synonyms, frozen) -> dict[str, int]:
    key = (tuple(row), frozen)
    found = _MATCHES.get(key)
    if found is None:
        found = match_columns(row, synonyms)
        if len(_MATCHES) > _HEADER_CACHE_LIMIT:
            _MATCHES.clear()
        _MATCHES[key] = found
    return found


def _freeze(synonyms) -> tuple:
    return tuple((field, tuple(labels)) for field, labels in synonyms.items())


_CONTROL_BYTES = bytes(set(range(0, 9)) | {11, 12} | set(range(14, 32)))
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")  # the only bytes cp1252 cannot decode


@dataclass
class _Source:
    """A CSV file's bytes in ``encoding`` (UTF-8 without its BOM, or cp1252), known to decode.

    A cp1252 file is only decoded as far as needed: its text is one character per byte.
    """

    data: bytes
    encoding: str
    _text: str | None = None
    _lone_cr: bool | None = None

    @property
    def lone_cr(self) -> bool:
        """Whether a CR ends a line without LF (asked several times per file: computed once)."""
        if self._lone_cr is None:
            self._lone_cr = _has_lone_cr(self.data)
        return self._lone_cr

    def text(self) -> str:
        """The whole text."""
        if self._text is None:
            self._text = self.data.decode(self.encoding)
        return self._text

    def prefix(self, size: int) -> str:
        """``text()[:size]``."""
        if self._text is None and self.encoding == "cp1252":
            return self.data[:size].decode("cp1252")
        return self.text()[:size]

    def head_lines(self, count: int) -> list[str]:
        """``text()[: 1 << 20].split("\\n", count)[:count]``, each line without its ``\\r``; lines
        ended as ``csv`` ends them (a lone CR too) when the file has a lone CR."""
        if self.lone_cr:
            return _LINE_END.split(self.text()[: 1 << 20], count)[:count]
        if self._text is None and self.encoding == "cp1252":
            return [line.decode("cp1252").rstrip("\r") for line in _first_pieces(self.data, b"\n", 1 << 20, count)]
        return [line.rstrip("\r") for line in _first_pieces(self.text(), "\n", 1 << 20, count)]

    def utf8(self) -> bytes:
        """The text as UTF-8 bytes."""
        return self.data if self.encoding == "utf-8" else self.text().encode("utf-8")


def _sniff(source: _Source) -> str:
    """``sniff_delimiter`` on the first 64 KiB of text, or on the first 4 KiB when those hold
    more than the lines it looks at (splitting 64 KiB into lines costs more than the rest)."""
    head = source.prefix(4096)
    if len(head.splitlines()) > SNIFF_LINES:
        return sniff_delimiter(head)
    return sniff_delimiter(source.prefix(65536))


def _first_pieces(text, separator, limit: int, count: int) -> list:
    """``text[:limit].split(separator, count)[:count]`` without copying the rest of ``text``."""
    pieces, start = [], 0
    while len(pieces) < count:
        end = text.find(separator, start, limit)
        if end < 0:
            pieces.append(text[start:limit])
            break
        pieces.append(text[start:end])
        start = end + 1
    return pieces


def _read_source(path: Path) -> _Source:
    """The file as UTF-8 (BOM optional) or else cp1252, as ``decode_text`` reads it, with cheap
    checks first. Anything doubtful goes to ``decode_text`` so that the error says the same
    thing everywhere."""
    data = path.read_bytes()
    sample = data[:65536]
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if data and not data.isspace() and b"\x00" not in sample and control <= len(sample) // 100:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if not any(byte in data for byte in _CP1252_UNDEFINED):
                return _Source(data, "cp1252")
        else:
            if text.strip():  # else a BOM and spaces: decode_text says the file is empty
                return _Source(data[3:] if data.startswith(b"\xef\xbb\xbf") else data, "utf-8", text)
    text = decode_text(path)
    return _Source(text.encode("utf-8"), "utf-8", text)


def _read_columns(source: _Source, delimiter: str, header_index: int, width: int, positions, path):
    """The wanted columns, dictionary-encoded, and every row's line number."""
    if _records_may_span_lines(source):
        return _read_csv_records(source.text(), delimiter, header_index, positions, path)
    if source.encoding == "cp1252" and _parses_alike(source.data):
        try:
            return _read_cp1252_fast(source, delimiter, header_index, width, positions)
        except pa.ArrowInvalid:
            pass  # blank or ragged lines: the UTF-8 path below sorts them out
    try:
        return _read_csv_fast(source, delimiter, header_index, width, positions)
    except pa.ArrowInvalid:  # short or long lines: Python's csv pads the short ones
        return _read_csv_records(source.text(), delimiter, header_index, positions, path, one_line_each=True)


def _records_may_span_lines(source: _Source) -> bool:
    """Whether a record may run over several lines, or lines end otherwise than with LF, so
    that counting LFs would misnumber the rows: a line end inside quotes (an odd number of
    quotes before it), or a lone CR.

    The fast parsers number rows by counting lines; such files go to ``_read_csv_records``.
    Quotes and line ends are the same single bytes in UTF-8 and cp1252.
    """
    if source.lone_cr:
        return True
    data = source.data
    if b'"' not in data:
        return False
    bytes_ = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(bytes_ == 34)
    newlines = np.flatnonzero(bytes_ == 10)
    return len(quotes) % 2 == 1 or bool((np.searchsorted(quotes, newlines) % 2).any())


def _has_lone_cr(data: bytes) -> bool:
    """Whether a CR is not followed by LF (a line end for csv, pyarrow and pandas)."""
    if b"\r" not in data:
        return False
    bytes_ = np.frombuffer(data, dtype=np.uint8)
    after = np.flatnonzero(bytes_ == 13) + 1
    return bool(after[-1] == len(data)) or bool((bytes_[after[after < len(data)]] != 10).any())


_LINE_END = re.compile(r"\r\n|\r|\n")
_LF = re.compile("\n")


def _read_csv_records(text: str, delimiter: str, header_index: int, positions, path, *, one_line_each: bool = False):
    """Python's csv module over the lines under the header, each row numbered by the line it
    starts on (a quoted value may hold line ends; a lone CR ends a line, as for the other
    parsers); short rows padded, entirely blank records left out. ``one_line_each``: the
    caller knows every record is one line (ragged rows only), so none is followed.

    Strict first, so that a quote left open names its line; a quote followed by more text
    (``"abc"def``) is then read as the other parsers read it (``abcdef``).
    """
    # the lines ``head_lines`` cut: at LF, or as csv does when there is a lone CR
    pieces = (_LINE_END if text.count("\r") != text.count("\r\n") else _LF).split(text, header_index + 1)
    body = pieces[header_index + 1] if len(pieces) > header_index + 1 else ""
    first_line = len(_LINE_END.findall(text, 0, len(text) - len(body))) + 1
    for strict in (True, False):
        reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=strict)
        records: list[list[str]] = []
        starts: list[int] | None = None if one_line_each else []
        line = first_line
        try:
            if starts is None:
                records = list(reader)
            else:
                for cells in reader:
                    records.append(cells)
                    starts.append(line)
                    line = first_line + reader.line_num
        except csv.Error as exc:
            if strict and "expected after" in str(exc):
                continue
            row = line if starts is not None else first_line + reader.line_num - 1
            raise InputError(f"malformed CSV: {_csv_problem(exc)}", file=path, row=row) from None
        break
    keep = [k for k, cells in enumerate(records) if "".join(cells).strip()]
    if starts is None:
        numbers = first_line + np.asarray(keep, dtype=np.int64)
    else:
        numbers = np.asarray(starts, dtype=np.int64)[np.asarray(keep, dtype=np.int64)]
    columns = {
        field: _encode([records[k][i] if i < len(records[k]) else "" for k in keep]) for field, i in positions.items()
    }
    return columns, numbers.astype(np.int64)


def _csv_problem(error: csv.Error) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return "a quoted value opened on this line is never closed"
    if "new-line character" in message:
        return "a lone carriage return (CR) inside an unquoted value"
    return message


def _parses_alike(data: bytes) -> bool:
    """Whether pyarrow's parser reads cp1252 ``data`` as it reads its UTF-8 transcoding.

    It cuts its input into blocks at line ends, blind to quotes: blocks cut elsewhere in one
    encoding than in the other matter only when a quoted value may hold a line end, and
    only if the text takes more than one block (a cp1252 character is at most 3 UTF-8 bytes).
    """
    if b'"' not in data:
        return True
    high = np.count_nonzero(np.frombuffer(data, dtype=np.uint8) >= 0x80)
    return len(data) + 2 * high <= _MIN_BLOCK


_MIN_BLOCK = 1 << 20


def _read_cp1252_fast(source: _Source, delimiter: str, header_index: int, width: int, positions):
    """pyarrow's parser over the cp1252 bytes themselves, decoding only the distinct values.

    Delimiters, quotes and line ends are the same bytes in cp1252 and UTF-8, so the cells
    are those of the transcoded text; any short or long line raises ``ArrowInvalid`` (no
    handler here), for the UTF-8 path to deal with.
    """
    table = _arrow_read(source.data, pa.binary(), delimiter, header_index, width, positions, None)
    columns = {field: _decoded(column, "cp1252") for field, column in _wanted_columns(table, positions).items()}
    return columns, _line_numbers(source, table.num_rows, 0, header_index, delimiter, width)


def _read_csv_fast(source: _Source, delimiter: str, header_index: int, width: int, positions):
    """pyarrow's parser straight into dictionary columns of text (the common path)."""
    blank_lines = 0

    def on_invalid(row) -> str:
        nonlocal blank_lines
        if row.text.strip(" \t\r" + delimiter) == "":
            blank_lines += 1
            return "skip"
        return "error"  # a short or long line: Python's csv module copes with those

    table = _arrow_read(source.utf8(), pa.string(), delimiter, header_index, width, positions, on_invalid)
    columns = _wanted_columns(table, positions)
    return columns, _line_numbers(source, table.num_rows, blank_lines, header_index, delimiter, width)


def _arrow_read(data: bytes, value_type, delimiter, header_index, width, positions, on_invalid) -> pa.Table:
    """The wanted columns of the lines under the header, as dictionaries of ``value_type``, one chunk each."""
    names = [f"c{i}" for i in range(width)]
    wanted = [f"c{i}" for i in positions.values()]
    dictionary = pa.dictionary(pa.int32(), value_type)
    # one block per core: fewer chunks means fewer dictionaries to unify afterwards
    block_size = min(max(_MIN_BLOCK, len(data) // pa.cpu_count() + 1), 1 << 28)
    table = pa_csv.read_csv(
        io.BytesIO(data),
        # a file of one block gains nothing from threads but their start-up cost
        read_options=pa_csv.ReadOptions(
            skip_rows=header_index + 1,
            column_names=names,
            block_size=block_size,
            use_threads=len(data) > block_size,
        ),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: dictionary for name in wanted},
            include_columns=wanted,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.unify_dictionaries().combine_chunks()


def _wanted_columns(table: pa.Table, positions) -> dict[str, pa.DictionaryArray]:
    return {field: _single_chunk(table.column(f"c{i}")) for field, i in positions.items()}


def _decoded(column: pa.DictionaryArray, encoding: str) -> pa.DictionaryArray:
    """A dictionary array of bytes turned into one of text."""
    values = [value.decode(encoding) for value in column.dictionary.to_pylist()]
    return pa.DictionaryArray.from_arrays(column.indices, pa.array(values, type=pa.string()))


def _line_numbers(
    source: _Source, count: int, blank_lines: int, header_index: int, delimiter: str, width: int
) -> np.ndarray:
    """The line number of each of the ``count`` rows pyarrow kept."""
    # pyarrow drops empty lines silently; only then do line numbers need a recount
    if blank_lines or _has_empty_line(source):
        return _non_blank_line_numbers(source.text(), header_index, delimiter, width)[:count]
    return np.arange(header_index + 2, header_index + 2 + count, dtype=np.int64)


def _has_empty_line(source: _Source) -> bool:
    """Whether ``"\\n\\n"`` or ``"\\n\\r\\n"`` is in ``text().rstrip()``, searched in the bytes
    (where line ends are the same single bytes) without decoding or copying the text."""
    data = source.data
    tail = data[-4096:].decode(source.encoding, errors="ignore")  # may start inside a character
    if not tail.strip():
        tail = source.text()
    end = len(data) - len(tail[len(tail.rstrip()) :].encode(source.encoding))
    bytes_ = np.frombuffer(data, dtype=np.uint8, count=end)
    newlines = np.flatnonzero(bytes_ == 10)
    gaps = np.diff(newlines)
    return bool((gaps == 1).any() or (bytes_[newlines[:-1][gaps == 2] + 1] == 13).any())


def _single_chunk(column: pa.ChunkedArray) -> pa.DictionaryArray:
    if column.num_chunks == 1:
        return column.chunk(0)
    if column.num_chunks == 0:
        return pa.array([], pa.string()).dictionary_encode()
    return pa.concat_arrays(column.chunks)


def _non_blank_line_numbers(text: str, header_index: int, delimiter: str, width: int) -> np.ndarray:
    """Line numbers of the lines pyarrow keeps: not blank, and not delimiters and spaces in
    another number of fields than the header's (what ``_read_csv_fast``'s handler skips)."""
    numbers = []
    for offset, line in enumerate(text.split("\n")[header_index + 1 :]):
        if not line.strip(" \t\r"):
            continue
        if line.strip(" \t\r" + delimiter) == "" and line.count(delimiter) + 1 != width:
            continue
        numbers.append(header_index + 2 + offset)
    return np.asarray(numbers, dtype=np.int64)


def _encode(values: list[str]) -> pa.DictionaryArray:
    return pa.array(values, type=pa.string()).dictionary_encode()


def _drop_blank_rows(
    columns: dict[str, pa.DictionaryArray], rows: np.ndarray, sheets: np.ndarray | None = None, *, entirely_blank
):
    """Leave out the rows blank in every column of the file: ``entirely_blank(indices)`` tells,
    for the rows blank in every wanted column, which are blank in the others too (a row with
    a value only in a column the reader does not use is kept, to be rejected, not dropped)."""
    blank = _blank_rows(columns, len(rows))
    if blank.any():
        candidates = np.flatnonzero(blank)
        blank[candidates] = entirely_blank(candidates)
    if not blank.any():
        return (columns, rows) if sheets is None else (columns, rows, sheets)
    keep = ~blank
    mask = pa.array(keep)
    columns = {field: column.filter(mask) for field, column in columns.items()}
    return (columns, rows[keep]) if sheets is None else (columns, rows[keep], sheets[keep])


def _blank_lines(source: _Source, delimiter: str, numbers: np.ndarray) -> np.ndarray:
    """Whether each of the lines ``numbers`` (1-based) holds nothing but delimiters and spaces."""
    if _records_may_span_lines(source):
        return np.zeros(len(numbers), dtype=bool)  # ``_read_csv_records`` kept no blank record
    data = source.data
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    starts = np.r_[0, ends + 1]
    ends = np.r_[ends, len(data)]
    blank = []
    for number in numbers.tolist():
        line = data[starts[number - 1] : ends[number - 1]].decode(source.encoding).rstrip("\r")
        blank.append(all(not cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), [])))
    return np.asarray(blank, dtype=bool)


def _blank_rows(columns: dict[str, pa.DictionaryArray], count: int) -> np.ndarray:
    """Mask of the rows blank in every column."""
    blank = np.ones(count, dtype=bool)
    for column in columns.values():
        values = _blank_values(column)
        if not values.any():
            return np.zeros(count, dtype=bool)  # a column with no blank value has no blank row
        blank &= values[column.indices.to_numpy(zero_copy_only=False)]
    return blank


def _blank_values(column: pa.DictionaryArray) -> np.ndarray:
    """Mask of the empty or whitespace-only values of a column's dictionary."""
    return pc.equal(pc.utf8_trim_whitespace(column.dictionary), "").to_numpy(zero_copy_only=False)


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
            raise InputError(
                f"duplicated column name {str(name).strip()!r} in the header",
                file=file,
                sheet=sheet,
                row=row,
                column=str(name).strip(),
            )
        seen.add(key)


def _load_xlsx(path, synonyms, required, header_synonyms) -> RawTable:
    parts, labels, errors, bodies = [], {}, [], []
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
        bodies.append(body)
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
    cells = [row for body in bodies for row in body]
    columns, rows, sheets = _drop_blank_rows(
        columns,
        rows,
        sheets,
        entirely_blank=lambda candidates: np.asarray(
            [all(not _cell_text(cell).strip() for cell in cells[i]) for i in candidates.tolist()], dtype=bool
        ),
    )
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
