"""Reading the text and spreadsheet files that French offices produce.

Encodings (UTF-8 with or without BOM, cp1252), delimiters (`;`, `,`, tab), header
synonyms matched without case, accents or punctuation, and XLSX with title rows.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ingestion.errors import InputError

_CONTROL_BYTES = set(range(0, 9)) | {11, 12} | set(range(14, 32))
# Real exports carry long free-text cells (comments, pasted e-mails): a field of a few MB is a
# value, not a malformed file. Set once here, for every reader, so no result depends on
# which reader a process imported first.
csv.field_size_limit(1 << 30)


def decode_text(path: Path) -> str:
    """Return the text of ``path`` decoded as UTF-8 (BOM optional) or else cp1252.

    Raises ``InputError`` for an empty file or bytes that are not text.
    """
    data = Path(path).read_bytes()
    if not data.strip():
        raise InputError("the file is empty", file=path)
    sample = data[:65536]
    if b"\x00" in sample or sum(b in _CONTROL_BYTES for b in sample) > len(sample) // 100:
        raise InputError("the bytes are not text (binary file?); expected a CSV in UTF-8 or cp1252", file=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise InputError(f"undecodable bytes at offset {exc.start}: neither UTF-8 nor cp1252", file=path) from None
    if not text.strip():  # a BOM and nothing else, or Unicode spaces
        raise InputError("the file is empty", file=path)
    return text


SNIFF_LINES = 20
"""How many lines of its text ``sniff_delimiter`` looks at (callers may give it no more)."""


def sniff_delimiter(text: str) -> str:
    """Guess the delimiter among `;`, `,` and tab from the first lines, outside quotes."""
    lines = [line for line in text.splitlines()[:SNIFF_LINES] if line.strip()]
    if not lines:
        return ";"
    best, best_score = ";", -1
    for delimiter in (";", "\t", ","):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines[:10]]
        header = counts[0]
        score = header * 10 + sum(c == header for c in counts) if header > 1 else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_rows(path: Path) -> list[list[str]]:
    """Return every non-empty row of a CSV file as lists of strings (header included)."""
    return [cells for _, cells in read_csv_records(path)]


def read_csv_records(path: Path) -> list[tuple[int, list[str]]]:
    """``(line, cells)`` for every non-empty record of a CSV file (header included).

    ``line`` is the 1-based line the record starts on, as an editor shows it: a quoted value
    may hold line ends, and blank lines count.
    """
    text = decode_text(path)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, line = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=path, row=line) from None
    return records


def read_csv_dicts(path: Path, *, delimiter_example: str = "") -> tuple[list[dict[str, str]], list[int], list[str]]:
    """(records as header → cell, the line each starts on, the stripped header) of a CSV file.

    Raises ``InputError`` for a file without a header, with a header only, or with a record
    whose field count is not the header's (``delimiter_example``, e.g. ``', such as "…",'``,
    completes the hint about quoting a value that holds the delimiter).
    """
    numbered = read_csv_records(path)
    if not numbered:
        raise InputError("the file has no header row", file=path)
    (_, header), data = numbered[0], numbered[1:]
    header = [cell.strip() for cell in header]
    if not data:
        raise InputError("no data rows (header only)", file=path)
    records, rows = [], []
    for line, cells in data:
        if len(cells) != len(header):
            raise InputError(
                f"{len(cells)} fields where the header has {len(header)} (a value holding the delimiter"
                f"{delimiter_example} must be in double quotes)",
                file=path,
                row=line,
            )
        records.append(dict(zip(header, cells, strict=True)))
        rows.append(line)
    return records, rows, header


def normalise_label(label: object) -> str:
    """Lower-case, accent-free, single-spaced form of a header or label, for matching."""
    text = unicodedata.normalize("NFKD", str(label or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def match_columns(header: Sequence[object], synonyms: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Map canonical field names to header positions using a table of synonyms.

    ``synonyms`` maps a field to the labels seen for it; matching ignores case, accents and
    punctuation. The first column matching a field wins.
    """
    lookup: dict[str, str] = {}
    for field, labels in synonyms.items():
        for label in labels:
            lookup.setdefault(normalise_label(label), field)
    found: dict[str, int] = {}
    for position, name in enumerate(header):
        field = lookup.get(normalise_label(name))
        if field is not None and field not in found:
            found[field] = position
    return found


def find_header_row(
    rows: Sequence[Sequence[object]],
    synonyms: Mapping[str, Iterable[str]],
    required: Iterable[str],
    *,
    file: Path,
    sheet: str | None = None,
    scan: int = 30,
    row_numbers: Sequence[int] | None = None,
) -> int:
    """Return the index of the first row (within ``scan``) holding every required field.

    Raises ``InputError`` naming the missing columns (by their usual header) of the best
    candidate row; ``row_numbers`` gives the file's own row numbers when ``rows`` skips some.
    """
    required = list(required)
    best_index, best_missing = None, required
    for index, row in enumerate(rows[:scan]):
        found = match_columns(row, synonyms)
        missing = [field for field in required if field not in found]
        if not missing:
            return index
        if len(found) >= 2 and len(missing) < len(best_missing):
            best_index, best_missing = index, missing
    if best_index is None:
        raise InputError(f"no header row found (expected columns {', '.join(required)})", file=file, sheet=sheet)
    labels = [next(iter(synonyms[field]), field) for field in best_missing]
    raise InputError(
        f"missing required column {', '.join(repr(label) for label in labels)}",
        file=file,
        sheet=sheet,
        row=row_numbers[best_index] if row_numbers else best_index + 1,
        column=labels[0],
    )


def parse_french_number(value: object) -> float | None:
    """Parse ``1 234,5`` / ``1234.5`` / ``1 234`` (narrow no-break space too); None if empty.

    Raises ``ValueError`` for text that is not a number.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text == "" or text.upper() in {"NA", "N/A", "NULL"}:
        return None
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    return float(text)


def read_xlsx_sheet_with_row_numbers(path: Path, sheet: str) -> list[tuple[int, list[object]]]:
    """Return ``(excel_row_number, cells)`` for each non-empty row of one named sheet.

    Row numbers are the ones Excel shows, so error messages point at the right line.
    """
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for truncated or non-XLSX files
        raise InputError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})", file=path) from None
    if sheet not in workbook.sheet_names:
        raise InputError(
            f"sheet {sheet!r} not found (sheets: {', '.join(workbook.sheet_names)})", file=path, sheet=sheet
        )
    try:
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # the sheet's part is corrupt (bad deflate stream, zip entry)
        raise InputError(
            f"not a readable XLSX workbook ({type(exc).__name__}: {exc})", file=path, sheet=sheet
        ) from None
    return [
        (number, list(row)) for number, row in enumerate(rows, start=1) if any(cell not in ("", None) for cell in row)
    ]
