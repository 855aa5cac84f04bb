"""Turning a listing file (CSV or GeoJSON) into a header, records and point geometries."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

from ingestion.errors import InputError
from ingestion.textfiles import decode_text, sniff_delimiter


@dataclass
class RawTable:
    """Cells of a listing as read, before any interpretation."""

    header: list[str]
    records: list[list[object]]
    geometries: list[tuple[float, float] | None] | None  # GeoJSON only: (x, y) as written


def read_raw_table(path: Path) -> RawTable:
    """Read a CSV or GeoJSON listing, recognised from its content (never its name).

    Raises ``InputError`` for an unreadable file and for one without data rows.
    """
    try:
        text = decode_text(path)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or type(exc).__name__})", file=path) from None
    if text.lstrip().startswith(("{", "[")):
        return _read_geojson(text, path)
    return _read_csv(text, path)


def _read_geojson(text: str, path: Path) -> RawTable:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid or truncated JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=path
        ) from None
    except (ValueError, RecursionError) as exc:  # an integer of 4,300+ digits, nesting too deep
        raise InputError(f"unreadable JSON ({type(exc).__name__})", file=path) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or document.get("type") != "FeatureCollection":
        raise InputError("expected a GeoJSON FeatureCollection with a 'features' list", file=path)
    if not features:
        raise InputError("no data rows (a FeatureCollection without features)", file=path)
    header: dict[str, None] = {}
    properties, geometries = [], []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise InputError("feature without a 'properties' object", file=path, row=number)
        header.update(dict.fromkeys(props))
        properties.append(props)
        geometries.append(_point(feature.get("geometry")))
    names = list(header)
    records = [[props.get(name) for name in names] for props in properties]
    _check_encodable(names, records, path)
    return RawTable(names, records, geometries)


def _check_encodable(names: list[str], records: list[list[object]], path: Path) -> None:
    # JSON escapes can spell lone surrogates (\ud800), which no database or UTF-8 file can hold.
    if _encodable([names, records]):
        return
    row = next((n for n, record in enumerate(records, start=1) if not _encodable(record)), None)
    raise InputError("text with an invalid \\u escape (lone surrogate)", file=path, row=row)


def _encodable(value: object) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError):
        return False
    return True


def _point(geometry: object) -> tuple[float, float] | None:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    try:
        x, y = float(coordinates[0]), float(coordinates[1])
    except (TypeError, ValueError, OverflowError):
        return None
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def _read_csv(text: str, path: Path) -> RawTable:
    try:
        delimiter = sniff_delimiter(text)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=path, row=1) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=path, row=reader.line_num) from None
    if not rows:
        raise InputError("the file has no header row", file=path)
    header, records = [cell.strip() for cell in rows[0]], rows[1:]
    if not records:
        raise InputError("no data rows (header only)", file=path)
    for number, record in enumerate(records, start=1):
        if len(record) != len(header):
            raise InputError(f"{len(record)} fields where the header has {len(header)}", file=path, row=number)
    if header and header[0] == "" and _is_row_index([r[0] for r in records]):
        # R's write.csv adds an unnamed 1..n row-number column: not data.
        header, records = header[1:], [r[1:] for r in records]
    header = [name or f"column_{i + 1}" for i, name in enumerate(header)]
    return RawTable(header, list(records), None)


def _is_row_index(values: list[str]) -> bool:
    return all(value.strip() == str(i) for i, value in enumerate(values, start=1))
