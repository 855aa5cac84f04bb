"""Mutations of input files for the fuzz tests, as hypothesis strategies.

Every mutation is a small frozen dataclass: its ``repr`` is what hypothesis prints for a
failing case, and ``apply`` replays it exactly, so a failure reads as a recipe
(``seed 'semicolon', [DropHeaderCell(column=2), TruncateBytes(fraction=0.5)]``).

Text files are mutated as bytes (lines split on ``\\n``, cells on the seed's delimiter, no
quote awareness: the point is to break files), values written in the seed's encoding.
Workbooks are mutated cell by cell on a grid (``Grid``: sheet name -> rows of cells) that the
tests write with openpyxl; byte-level mutations then apply to the written file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import strategies as st

# ---------------------------------------------------------------------------------------------
# values

TEXT_VALUES = [
    "",
    " ",
    "  \t ",
    '"',
    '""',
    '"quoted"',
    "'",
    ";",
    ",",
    "\t",
    ";;",
    ",,",
    "\n",
    "\r\n",
    "\r",
    "a\nb",
    '"a\nb"',
    '"a;b"',
    '"a,b"',
    "\x00",
    "\x1a",
    "\ufeff",
    "\u00a0",
    "\u202f",
    "NA",
    "N/A",
    "null",
    "-",
    "?",
    "0",
    "-1",
    "-0",
    "12.0",
    "12,5",
    "1e3",
    "1 234",
    "1\u202f234",
    "1.234,5",
    "9" * 25,
    "nan",
    "inf",
    "-inf",
    "31/02/2024",
    "2024-13-01",
    "01/01/2099",
    "2024-04",
    "04/2024",
    "13/2024",
    "45000",
    "45000.5",
    "0000",
    "Très satisfait",
    "satisfait",
    "Oui",
    "non",
    "peut-être",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "é",
    "€",
    "Ã©",
    "\U0001d518",
    "\ud800",
    "x" * 300,
    "2A004",
    "75056",
    "ZZZZZZZZZ",
    "COM",
    "COMA",
    "ARM",
    "COMD",
    "nb-labellisations-france-services",
    "national",
    "2022-12-31",
    "2538.0",
    "1.0",
    "True",
    "none",
]
"""Cell texts that break parsers or sit at the edge of what a reader accepts."""

text_values = st.one_of(
    st.sampled_from(TEXT_VALUES),
    st.text(max_size=8),
    st.text(alphabet=st.sampled_from("\"\n\r;,\t \\'x1"), max_size=6),
)

PAYLOADS = [
    b'"',
    b'""',
    b"\n",
    b"\r\n",
    b"\r",
    b";",
    b",",
    b"\t",
    b"\x00",
    b"\xff",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\x81",
    b"\x8d",
    b"\xc3",
    b"\xe9",
    b"\x80\x80",
    b"\xc3\xa9",
    b"\x1b[0m",
    b"\\",
    b'"\n"',
    b"{",
    b"}",
    b"]",
]
payloads = st.one_of(st.sampled_from(PAYLOADS), st.binary(min_size=1, max_size=6))

GARBAGE = [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    bytes(range(256)),
    b"\x00" * 64,
    b"\xff\xfe" + "Matricule;Date\n".encode("utf-16-le"),
]


# ---------------------------------------------------------------------------------------------
# byte-level mutations (any file)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


@dataclass(frozen=True)
class TruncateBytes:
    fraction: float

    def apply(self, data: bytes, seed) -> bytes:
        return data[: int(len(data) * self.fraction)]


@dataclass(frozen=True)
class TruncateLines:
    keep: int

    def apply(self, data: bytes, seed) -> bytes:
        return _join(_lines(data)[: self.keep])


@dataclass(frozen=True)
class DropLine:
    line: int

    def apply(self, data: bytes, seed) -> bytes:
        lines = _lines(data)
        del lines[self.line % len(lines)]
        return _join(lines)


@dataclass(frozen=True)
class DuplicateLine:
    line: int

    def apply(self, data: bytes, seed) -> bytes:
        lines = _lines(data)
        index = self.line % len(lines)
        lines.insert(index, lines[index])
        return _join(lines)


@dataclass(frozen=True)
class SwapLines:
    first: int
    second: int

    def apply(self, data: bytes, seed) -> bytes:
        lines = _lines(data)
        i, j = self.first % len(lines), self.second % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
        return _join(lines)


@dataclass(frozen=True)
class InsertLine:
    line: int
    text: str

    def apply(self, data: bytes, seed) -> bytes:
        lines = _lines(data)
        lines.insert(self.line % (len(lines) + 1), seed.encode(self.text))
        return _join(lines)


@dataclass(frozen=True)
class InsertBytes:
    fraction: float
    payload: bytes

    def apply(self, data: bytes, seed) -> bytes:
        at = int(len(data) * self.fraction)
        return data[:at] + self.payload + data[at:]


@dataclass(frozen=True)
class OverwriteBytes:
    fraction: float
    payload: bytes

    def apply(self, data: bytes, seed) -> bytes:
        at = int(len(data) * self.fraction)
        return data[:at] + self.payload + data[at + len(self.payload) :]


@dataclass(frozen=True)
class DeleteBytes:
    fraction: float
    length: int

    def apply(self, data: bytes, seed) -> bytes:
        at = int(len(data) * self.fraction)
        return data[:at] + data[at + self.length :]


@dataclass(frozen=True)
class AddBOM:
    bom: bytes

    def apply(self, data: bytes, seed) -> bytes:
        return self.bom + data


@dataclass(frozen=True)
class Reencode:
    """The text decoded from the seed's encoding, written again in ``target``."""

    target: str

    def apply(self, data: bytes, seed) -> bytes:
        text = data.decode(seed.encoding, errors="replace")
        return text.encode(self.target, errors="replace")


@dataclass(frozen=True)
class LineEndings:
    ending: bytes

    def apply(self, data: bytes, seed) -> bytes:
        return data.replace(b"\r\n", b"\n").replace(b"\n", self.ending)


@dataclass(frozen=True)
class Empty:
    content: bytes = b""

    def apply(self, data: bytes, seed) -> bytes:
        return self.content


@dataclass(frozen=True)
class Garbage:
    """The whole file replaced by binary bytes (``keep`` bytes of the real file in front)."""

    payload: bytes
    keep: int = 0

    def apply(self, data: bytes, seed) -> bytes:
        return data[: self.keep] + self.payload


byte_mutations = st.one_of(
    st.builds(TruncateBytes, st.floats(0, 1)),
    st.builds(TruncateLines, st.integers(0, 40)),
    st.builds(DropLine, st.integers(0, 60)),
    st.builds(DuplicateLine, st.integers(0, 60)),
    st.builds(SwapLines, st.integers(0, 60), st.integers(0, 60)),
    st.builds(InsertLine, st.integers(0, 60), text_values),
    st.builds(InsertBytes, st.floats(0, 1), payloads),
    st.builds(OverwriteBytes, st.floats(0, 1), payloads),
    st.builds(DeleteBytes, st.floats(0, 1), st.integers(1, 40)),
    st.builds(
        AddBOM, st.sampled_from([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb"])
    ),
    st.builds(
        Reencode,
        st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-32", "mac_roman"]),
    ),
    st.builds(LineEndings, st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\n"])),
    st.builds(Empty, st.sampled_from([b"", b" ", b"\n", b"\r\n\r\n", b"\t \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n"])),
    st.builds(Garbage, st.one_of(st.sampled_from(GARBAGE), st.binary(min_size=1, max_size=300)), st.integers(0, 200)),
)


# ---------------------------------------------------------------------------------------------
# cell-level mutations of text files (cells split on the seed's delimiter, quotes ignored)


def _cells(seed, line: bytes) -> list[bytes]:
    return line.split(seed.delimiter_bytes)


def _uncells(seed, cells: list[bytes]) -> bytes:
    return seed.delimiter_bytes.join(cells)


def _edit_line(data: bytes, seed, line: int | None, edit) -> bytes:
    """``edit(cells) -> cells`` on one line; ``None``: the header line (or the first line)."""
    lines = _lines(data)
    index = (seed.header_line if line is None else line) % len(lines)
    ending = b"\r" if lines[index].endswith(b"\r") else b""
    body = lines[index][: len(lines[index]) - len(ending)]
    cells = _cells(seed, body)
    lines[index] = _uncells(seed, edit(cells)) + ending
    return _join(lines)


@dataclass(frozen=True)
class SetCell:
    line: int
    column: int
    value: str

    def apply(self, data: bytes, seed) -> bytes:
        def edit(cells):
            cells[self.column % len(cells)] = seed.encode(self.value)
            return cells

        return _edit_line(data, seed, self.line, edit)


@dataclass(frozen=True)
class InsertInCell:
    """``text`` (a quote, a delimiter, a line end...) inside a cell, at ``offset``."""

    line: int
    column: int
    offset: int
    text: str

    def apply(self, data: bytes, seed) -> bytes:
        def edit(cells):
            i = self.column % len(cells)
            cell = cells[i]
            at = self.offset % (len(cell) + 1)
            cells[i] = cell[:at] + seed.encode(self.text) + cell[at:]
            return cells

        return _edit_line(data, seed, self.line, edit)


@dataclass(frozen=True)
class QuoteCell:
    """A cell quoted as CSV wants it, with ``inside`` (a delimiter, a line end) added in the quotes."""

    line: int
    column: int
    inside: str

    def apply(self, data: bytes, seed) -> bytes:
        def edit(cells):
            i = self.column % len(cells)
            cell = cells[i].replace(b'"', b'""')
            cells[i] = b'"' + cell + seed.encode(self.inside) + b'"'
            return cells

        return _edit_line(data, seed, self.line, edit)


@dataclass(frozen=True)
class DropCell:
    line: int
    column: int

    def apply(self, data: bytes, seed) -> bytes:
        def edit(cells):
            if len(cells) > 1:
                del cells[self.column % len(cells)]
            return cells

        return _edit_line(data, seed, self.line, edit)


@dataclass(frozen=True)
class AddCell:
    line: int
    column: int
    value: str

    def apply(self, data: bytes, seed) -> bytes:
        def edit(cells):
            cells.insert(self.column % (len(cells) + 1), seed.encode(self.value))
            return cells

        return _edit_line(data, seed, self.line, edit)


@dataclass(frozen=True)
class BlankRowButOneCell:
    """A row whose cells are all empty but one (which may lie beyond the header's width)."""

    line: int
    column: int
    value: str

    def apply(self, data: bytes, seed) -> bytes:
        def edit(cells):
            width = max(len(cells), self.column % (len(cells) + 2) + 1)
            out = [b""] * width
            out[self.column % (len(cells) + 2)] = seed.encode(self.value)
            return out

        return _edit_line(data, seed, self.line, edit)


# header mutations: the header line of the seed (before any line was moved)


@dataclass(frozen=True)
class DropHeaderCell:
    column: int

    def apply(self, data: bytes, seed) -> bytes:
        return DropCell(None, self.column).apply(data, seed)


@dataclass(frozen=True)
class DuplicateHeaderCell:
    column: int

    def apply(self, data: bytes, seed) -> bytes:
        def edit(cells):
            i = self.column % len(cells)
            cells.insert(i, cells[i])
            return cells

        return _edit_line(data, seed, None, edit)


@dataclass(frozen=True)
class SwapHeaderCells:
    first: int
    second: int

    def apply(self, data: bytes, seed) -> bytes:
        def edit(cells):
            i, j = self.first % len(cells), self.second % len(cells)
            cells[i], cells[j] = cells[j], cells[i]
            return cells

        return _edit_line(data, seed, None, edit)


@dataclass(frozen=True)
class SetHeaderCell:
    column: int
    value: str

    def apply(self, data: bytes, seed) -> bytes:
        return SetCell(None, self.column, self.value).apply(data, seed)


@dataclass(frozen=True)
class EmptyHeader:
    """The header line emptied (``keep_delimiters``: only its names)."""

    keep_delimiters: bool

    def apply(self, data: bytes, seed) -> bytes:
        return _edit_line(data, seed, None, lambda cells: [b""] * len(cells) if self.keep_delimiters else [b""])


@dataclass(frozen=True)
class UpperHeader:
    def apply(self, data: bytes, seed) -> bytes:
        return _edit_line(data, seed, None, lambda cells: [seed.encode(seed.decode(c).upper()) for c in cells])


lines_ = st.integers(0, 60)
columns_ = st.integers(0, 30)
cell_mutations = st.one_of(
    st.builds(SetCell, lines_, columns_, text_values),
    st.builds(
        InsertInCell,
        lines_,
        columns_,
        st.integers(0, 40),
        st.sampled_from(['"', '""', "\n", "\r\n", "\r", ";", ",", "\t", "\x00", "\ufeff", '"\n"', "'"]),
    ),
    st.builds(QuoteCell, lines_, columns_, st.sampled_from(["", "\n", "\r\n", ";", ",", "\t", '"', "\n\n", "\n;\n"])),
    st.builds(DropCell, lines_, columns_),
    st.builds(AddCell, lines_, columns_, text_values),
    st.builds(BlankRowButOneCell, lines_, columns_, text_values),
)
header_mutations = st.one_of(
    st.builds(DropHeaderCell, columns_),
    st.builds(DuplicateHeaderCell, columns_),
    st.builds(SwapHeaderCells, columns_, columns_),
    st.builds(SetHeaderCell, columns_, text_values),
    st.builds(EmptyHeader, st.booleans()),
    st.just(UpperHeader()),
)


def text_file_mutations(max_size: int = 3):
    """1 to ``max_size`` mutations of a text file, cell-level ones drawn most often."""
    one = st.one_of(cell_mutations, cell_mutations, byte_mutations, header_mutations)
    return st.lists(one, min_size=1, max_size=max_size)


def apply_all(mutations, data: bytes, seed) -> bytes:
    for mutation in mutations:
        data = mutation.apply(data, seed)
    return data


# ---------------------------------------------------------------------------------------------
# workbooks: cell-level mutations of a grid {sheet: [[cell, ...], ...]}, then bytes


CELL_VALUES = st.one_of(
    st.sampled_from([v for v in TEXT_VALUES if "\x00" not in v and "\x1a" not in v and "\ud800" not in v]),
    st.sampled_from(
        [
            None,
            0,
            -1,
            1,
            12,
            1.5,
            12.0,
            -3.25,
            1e15,
            45000,
            True,
            False,
            dt.datetime(2024, 4, 2),
            dt.datetime(2024, 4, 2, 13, 30),
            dt.date(2099, 1, 1),
            dt.time(9, 30),
        ]
    ),
    st.integers(-(10**6), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
)


def _sheet(grid: dict, sheet: int) -> list:
    names = list(grid)
    return grid[names[sheet % len(names)]]


@dataclass(frozen=True)
class XSetCell:
    sheet: int
    row: int
    column: int
    value: object

    def apply(self, grid: dict, seed) -> None:
        rows = _sheet(grid, self.sheet)
        if not rows:
            return
        row = rows[self.row % len(rows)]
        column = self.column % (len(row) + 2)
        row.extend([None] * (column + 1 - len(row)))
        row[column] = self.value


@dataclass(frozen=True)
class XDeleteRow:
    sheet: int
    row: int

    def apply(self, grid: dict, seed) -> None:
        rows = _sheet(grid, self.sheet)
        if rows:
            del rows[self.row % len(rows)]


@dataclass(frozen=True)
class XDuplicateRow:
    sheet: int
    row: int

    def apply(self, grid: dict, seed) -> None:
        rows = _sheet(grid, self.sheet)
        if rows:
            index = self.row % len(rows)
            rows.insert(index, list(rows[index]))


@dataclass(frozen=True)
class XInsertRow:
    sheet: int
    row: int
    values: tuple

    def apply(self, grid: dict, seed) -> None:
        rows = _sheet(grid, self.sheet)
        rows.insert(self.row % (len(rows) + 1), list(self.values))


@dataclass(frozen=True)
class XSwapRows:
    sheet: int
    first: int
    second: int

    def apply(self, grid: dict, seed) -> None:
        rows = _sheet(grid, self.sheet)
        if rows:
            i, j = self.first % len(rows), self.second % len(rows)
            rows[i], rows[j] = rows[j], rows[i]


@dataclass(frozen=True)
class XTruncateRows:
    sheet: int
    keep: int

    def apply(self, grid: dict, seed) -> None:
        rows = _sheet(grid, self.sheet)
        del rows[self.keep :]


@dataclass(frozen=True)
class XHeader:
    """``drop``, ``duplicate``, ``swap``, ``empty`` a header cell of a sheet, or ``clear`` the whole header."""

    sheet: int
    action: str
    column: int
    other: int = 0

    def apply(self, grid: dict, seed) -> None:
        names = list(grid)
        name = names[self.sheet % len(names)]
        index = seed.header_rows.get(name)
        rows = grid[name]
        if index is None or index >= len(rows) or not rows[index]:
            return
        row = rows[index]
        i, j = self.column % len(row), self.other % len(row)
        if self.action == "drop":
            del row[i]
        elif self.action == "duplicate":
            row.insert(i, row[i])
        elif self.action == "swap":
            row[i], row[j] = row[j], row[i]
        elif self.action == "empty":
            row[i] = None
        elif self.action == "clear":
            rows[index] = []


@dataclass(frozen=True)
class XRenameSheet:
    sheet: int
    name: str

    def apply(self, grid: dict, seed) -> None:
        names = list(grid)
        old = names[self.sheet % len(names)]
        if self.name in grid:
            return
        items = [(self.name if key == old else key, value) for key, value in grid.items()]
        grid.clear()
        grid.update(items)


@dataclass(frozen=True)
class XDeleteSheet:
    sheet: int

    def apply(self, grid: dict, seed) -> None:
        names = list(grid)
        if len(names) > 1:
            del grid[names[self.sheet % len(names)]]


@dataclass(frozen=True)
class XAddSheet:
    name: str
    copy_of: int

    def apply(self, grid: dict, seed) -> None:
        if self.name not in grid:
            grid[self.name] = [list(row) for row in _sheet(grid, self.copy_of)]


_rows = st.integers(0, 60)
_sheets = st.integers(0, 3)
sheet_names = st.sampled_from(["Feuil1", "Communes", "EPCI", "Composition_communale", "2024-05", "x", "Communes "])
grid_mutations = st.one_of(
    st.builds(XSetCell, _sheets, _rows, st.integers(0, 14), CELL_VALUES),
    st.builds(XSetCell, _sheets, _rows, st.integers(0, 14), CELL_VALUES),
    st.builds(XDeleteRow, _sheets, _rows),
    st.builds(XDuplicateRow, _sheets, _rows),
    st.builds(XInsertRow, _sheets, _rows, st.lists(CELL_VALUES, max_size=12).map(tuple)),
    st.builds(XSwapRows, _sheets, _rows, _rows),
    st.builds(XTruncateRows, _sheets, st.integers(0, 40)),
    st.builds(
        XHeader,
        _sheets,
        st.sampled_from(["drop", "duplicate", "swap", "empty", "clear"]),
        st.integers(0, 14),
        st.integers(0, 14),
    ),
    st.builds(XRenameSheet, _sheets, sheet_names),
    st.builds(XDeleteSheet, _sheets),
    st.builds(XAddSheet, sheet_names, _sheets),
)
workbook_byte_mutations = st.one_of(
    st.builds(TruncateBytes, st.floats(0, 1)),
    st.builds(InsertBytes, st.floats(0, 1), payloads),
    st.builds(OverwriteBytes, st.floats(0, 1), payloads),
    st.builds(DeleteBytes, st.floats(0, 1), st.integers(1, 40)),
    st.builds(Empty, st.sampled_from([b"", b"\n", b"PK\x03\x04"])),
    st.builds(Garbage, st.one_of(st.sampled_from(GARBAGE), st.binary(min_size=1, max_size=300)), st.integers(0, 200)),
)


def workbook_mutations(max_cells: int = 4):
    """Cell-level mutations of the grid, and now and then byte-level ones of the written file."""
    return st.tuples(
        st.lists(grid_mutations, min_size=0, max_size=max_cells),
        st.one_of(st.just([]), st.just([]), st.just([]), st.lists(workbook_byte_mutations, min_size=1, max_size=2)),
    ).filter(lambda pair: pair[0] or pair[1])


# ---------------------------------------------------------------------------------------------
# GeoJSON: mutations of the parsed document, written back as JSON (Python's json: NaN allowed)

JSON_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            False,
            0,
            -1,
            1.5,
            2.0,
            10**30,
            float("nan"),
            float("inf"),
            "",
            " ",
            "x",
            "NA",
            "01033",
            "2A004",
            "75112",
            "9:00 - 12:00",
            "Espace labellisé 01/2020",
            "45.5",
            "4,83",
            [],
            {},
            [1, 2],
            {"a": 1},
            [[5.8, 46.1]],
            "\n",
            '"',
            "\x00",
        ]
    ),
    st.text(max_size=6),
    st.integers(),
    st.floats(),
)
GEOMETRIES = st.one_of(
    st.sampled_from(
        [
            None,
            {},
            [],
            "POINT(5 46)",
            {"type": "Point"},
            {"type": "Point", "coordinates": []},
            {"type": "Point", "coordinates": [5.8]},
            {"type": "Point", "coordinates": "5.8,46.1"},
            {"type": "Point", "coordinates": [[5.8, 46.1]]},
            {"type": "LineString", "coordinates": [[5, 46], [6, 47]]},
            {"type": "Point", "coordinates": [None, None]},
            {"type": "Point", "coordinates": {"x": 5}},
        ]
    ),
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]}, JSON_VALUES, JSON_VALUES),
)


def _document(data: bytes):
    import json

    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _dump(document) -> bytes:
    import json

    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8", errors="surrogatepass")


def _features(document) -> list | None:
    if isinstance(document, dict) and isinstance(document.get("features"), list) and document["features"]:
        return document["features"]
    return None


@dataclass(frozen=True)
class JSetProperty:
    feature: int
    key: int
    value: object

    def apply(self, data: bytes, seed) -> bytes:
        document = _document(data)
        features = _features(document)
        if features is None:
            return data
        props = (
            features[self.feature % len(features)].get("properties")
            if isinstance(features[self.feature % len(features)], dict)
            else None
        )
        if isinstance(props, dict) and props:
            props[list(props)[self.key % len(props)]] = self.value
        return _dump(document)


@dataclass(frozen=True)
class JDeleteProperty:
    """Delete a property of one feature, or (``everywhere``) of every feature."""

    feature: int
    key: int
    everywhere: bool

    def apply(self, data: bytes, seed) -> bytes:
        document = _document(data)
        features = _features(document)
        if features is None:
            return data
        first = features[self.feature % len(features)]
        props = first.get("properties") if isinstance(first, dict) else None
        if not isinstance(props, dict) or not props:
            return data
        key = list(props)[self.key % len(props)]
        for feature in features if self.everywhere else [first]:
            if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
                feature["properties"].pop(key, None)
        return _dump(document)


@dataclass(frozen=True)
class JRenameProperty:
    key: int
    name: str

    def apply(self, data: bytes, seed) -> bytes:
        document = _document(data)
        features = _features(document)
        if features is None:
            return data
        for feature in features:
            props = feature.get("properties") if isinstance(feature, dict) else None
            if isinstance(props, dict) and props:
                old = list(props)[self.key % len(props)]
                props[self.name] = props.pop(old)
        return _dump(document)


@dataclass(frozen=True)
class JSetGeometry:
    feature: int
    geometry: object

    def apply(self, data: bytes, seed) -> bytes:
        document = _document(data)
        features = _features(document)
        if features is None or not isinstance(features[self.feature % len(features)], dict):
            return data
        features[self.feature % len(features)]["geometry"] = self.geometry
        return _dump(document)


@dataclass(frozen=True)
class JSetFeature:
    """A feature, its ``properties`` or its ``type`` replaced by another JSON value."""

    feature: int
    part: str
    value: object

    def apply(self, data: bytes, seed) -> bytes:
        document = _document(data)
        features = _features(document)
        if features is None:
            return data
        index = self.feature % len(features)
        if self.part == "feature":
            features[index] = self.value
        elif isinstance(features[index], dict):
            features[index][self.part] = self.value
        return _dump(document)


@dataclass(frozen=True)
class JFeatures:
    """``drop`` or ``duplicate`` a feature, or ``empty`` the list."""

    action: str
    feature: int

    def apply(self, data: bytes, seed) -> bytes:
        document = _document(data)
        features = _features(document)
        if features is None:
            return data
        index = self.feature % len(features)
        if self.action == "drop":
            del features[index]
        elif self.action == "duplicate":
            features.insert(index, features[index])
        else:
            features.clear()
        return _dump(document)


@dataclass(frozen=True)
class JTopLevel:
    """The collection's ``type`` or ``features`` replaced, or the whole document."""

    part: str
    value: object

    def apply(self, data: bytes, seed) -> bytes:
        document = _document(data)
        if document is None:
            return data
        if self.part == "document":
            document = self.value
        elif isinstance(document, dict):
            document[self.part] = self.value
        return _dump(document)


_features_ = st.integers(0, 40)
json_mutations = st.one_of(
    st.builds(JSetProperty, _features_, st.integers(0, 40), JSON_VALUES),
    st.builds(JSetProperty, _features_, st.integers(0, 40), JSON_VALUES),
    st.builds(JDeleteProperty, _features_, st.integers(0, 40), st.booleans()),
    st.builds(
        JRenameProperty,
        st.integers(0, 40),
        st.sampled_from(["", "X", "lib_fs", "insee_com", "latitude", "MATRICULE", "id_fs"]),
    ),
    st.builds(JSetGeometry, _features_, GEOMETRIES),
    st.builds(JSetFeature, _features_, st.sampled_from(["feature", "properties", "type"]), JSON_VALUES),
    st.builds(JFeatures, st.sampled_from(["drop", "duplicate", "empty"]), _features_),
    st.builds(JTopLevel, st.sampled_from(["type", "features", "document"]), JSON_VALUES),
)


def geojson_mutations(max_size: int = 3):
    """Mostly document-level mutations of a GeoJSON file, some of its bytes and text."""
    one = st.one_of(json_mutations, json_mutations, json_mutations, byte_mutations, cell_mutations)
    return st.lists(one, min_size=1, max_size=max_size)
