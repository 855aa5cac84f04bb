"""Reading a file of priority neighbourhoods (QPV) into one row per QPV × commune."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.insee.codes import COMMUNE_CODE, department_of
from ingestion.qpv.codes import department_of_qpv, generation_of, normalise_qpv_code
from ingestion.qpv.communes import CommuneNames
from ingestion.qpv.geometry import GeometryProblem, read_geometry
from ingestion.qpv.shapes import QpvRecords, read_qpv_records
from ingestion.sites import values
from ingestion.textfiles import parse_french_number

REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]
QPV_COLUMNS = [
    "source_row",
    "generation",
    "qpv_code",
    "qpv_name",
    "commune_code",
    "commune_name",
    "department_code",
    "population",
    "latitude",
    "longitude",
    "point_source",
    "wkt",
    "extra",
]
POINTS_PER_COMMUNE, POLYGONS, TABLE = "points_per_commune", "polygons", "table"
MAX_REJECTED_SHARE = 0.5
"""A file with more than half of its rows rejected is the wrong file or a broken export."""


@dataclass
class QpvFile:
    """``rows``: one per QPV × commune the file names (QPV_COLUMNS); ``rejects``: the rows not
    loaded and the notes on rows loaded with a correction (file, sheet, row, column, value,
    reason); ``shape``: points per commune, polygons or a plain table."""

    shape: str
    rows: pd.DataFrame
    rejects: pd.DataFrame


class _Rejected(Exception):
    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field, self.value, self.reason = field, value, reason


def read_qpv_file(path: str | Path, communes: pd.DataFrame, aliases: dict[str, str] | None = None) -> QpvFile:
    """Read any shape of QPV file: the 2024 points per commune (a ``code_qp`` list per commune),
    the 2015 outlines (one polygon per QPV) or a CSV (with commune codes, or only commune
    names, as the 2015 file with populations).

    The generation comes from each code (``QP…`` 2015, ``QN…`` 2024). Commune names are mapped
    to codes within the department the QPV code names (``communes``: commune_code,
    commune_name, department_code, commune_type); a name that does not map once is rejected.
    Polygons are kept as WKT, their point is the representative point. Raises ``InputError``
    for a file without QPV codes, unreadable, or with more than half of its rows rejected.
    """
    path = Path(path)
    read = read_qpv_records(path)
    builder = _Builder(path, read, communes, aliases or {})
    for index in range(len(read.records)):
        builder.add(index)
    if not builder.rows:
        first = builder.rejects[0] if builder.rejects else None
        detail = f"; first: row {first['row']}: {first['reason']}" if first else ""
        raise InputError(f"no valid QPV code in the file{detail}", file=path, column=read.fields["qpv_code"])
    if builder.rejected_rows > MAX_REJECTED_SHARE * len(read.records):
        first = next(r for r in builder.rejects if r.get("rejected"))
        raise InputError(
            f"{builder.rejected_rows:,} of {len(read.records):,} rows rejected (more than "
            f"{MAX_REJECTED_SHARE:.0%}); first: row {first['row']}, column {first['column']!r}: {first['reason']}",
            file=path,
        )
    return QpvFile(builder.shape(), _frame(builder.rows), rejects_frame(builder.rejects))


class _Builder:
    """Builds QPV × commune rows one record at a time, collecting rejects and notes."""

    def __init__(self, path: Path, read: QpvRecords, communes: pd.DataFrame, aliases: dict[str, str]) -> None:
        self.path, self.read, self.aliases = path, read, aliases
        self.names = CommuneNames(communes)
        self.known = set(communes["commune_code"])
        self.rows: list[dict] = []
        self.rejects: list[dict] = []
        self.rejected_rows = 0
        self.seen: dict[tuple, int] = {}
        self.polygons = self.lists = 0
        used = set(read.fields.values())
        self.extra_keys = [key for key in read.keys if key not in used]

    def shape(self) -> str:
        """What the file was: outlines when any row has one, else points per commune when a row
        lists several codes, else a plain table."""
        if self.polygons:
            return POLYGONS
        return POINTS_PER_COMMUNE if self.lists else TABLE

    def note(self, row: int, field: str, value: object, reason: str, *, rejected: bool = False) -> None:
        """Record a problem of ``row`` under the file's own column name; ``rejected``: the row is not loaded."""
        column = self.read.fields.get(field, field)
        entry = {"file": self.path.name, "sheet": None, "row": row, "column": column, "reason": reason}
        entry["value"] = None if value is None else str(value)
        if rejected:
            entry["rejected"] = True
        self.rejects.append(entry)

    def get(self, record: dict, field: str) -> object:
        """The record's value of a canonical field (None when the file has no such column)."""
        key = self.read.fields.get(field)
        return None if key is None else record.get(key)

    def add(self, index: int) -> None:
        """Turn record ``index`` into its QPV × commune rows, or reject it with its reason."""
        record, row = self.read.records[index], self.read.rows[index]
        try:
            parts = self._parts(record, row)
        except _Rejected as problem:
            self.rejected_rows += 1
            self.note(row, problem.field, problem.value, problem.reason, rejected=True)
            return
        shared = self._shared(record, row, index)
        for code, name, commune_code, commune_name in parts:
            key = (code, commune_code)
            if key in self.seen:
                self.note(
                    row, "qpv_code", code, f"QPV {code} in commune {commune_code} already given on row {self.seen[key]}"
                )
                continue
            self.seen[key] = row
            if commune_code not in self.known:
                self.note(row, "commune_code", commune_code, f"unknown commune code {commune_code} (kept as written)")
            self.rows.append(
                {
                    "source_row": row,
                    "generation": generation_of(code),
                    "qpv_code": code,
                    "qpv_name": name,
                    "commune_code": commune_code,
                    "commune_name": commune_name,
                    "department_code": department_of(commune_code),
                    **shared,
                }
            )

    def _parts(self, record: dict, row: int) -> list[tuple[str, str | None, str, str | None]]:
        """(QPV code, QPV name, commune code, commune name) of each QPV × commune of a record."""
        raw_codes = values.clean(self.get(record, "qpv_code"))
        if raw_codes is None:
            raise _Rejected("qpv_code", None, "row without a QPV code")
        codes = [normalise_qpv_code(c) for c in raw_codes.split(",") if c.strip()]
        for code in codes:
            if generation_of(code) is None:
                raise _Rejected(
                    "qpv_code",
                    code,
                    f"invalid QPV code {code!r} (expected QP + 6 digits for 2015, QN + 5 digits and a letter for 2024)",
                )
        names = self._qpv_names(record, row, codes)
        communes = self._communes(record, codes)
        if len(codes) > 1 and len(communes) > 1:
            raise _Rejected("qpv_code", raw_codes, "several QPV codes and several communes on one row")
        if len(codes) > 1:
            self.lists += 1
        return [
            (code, name, commune_code, commune_name)
            for code, name in zip(codes, names)
            for commune_code, commune_name in communes
        ]

    def _qpv_names(self, record: dict, row: int, codes: list[str]) -> list[str | None]:
        text = values.clean(self.get(record, "qpv_name"))
        if text is None:
            return [None] * len(codes)
        if len(codes) == 1:
            return [text]
        # A list of codes comes with the list of their names, in the same order.
        names = [name.strip() or None for name in text.split(",")]
        if len(names) != len(codes):
            self.note(row, "qpv_name", text, f"{len(names)} names for {len(codes)} QPV codes: names left empty")
            return [None] * len(codes)
        return names

    def _communes(self, record: dict, codes: list[str]) -> list[tuple[str, str | None]]:
        raw_codes = values.clean(self.get(record, "commune_code"))
        raw_names = values.clean(self.get(record, "commune_name"))
        names = [n.strip() for n in raw_names.split(",")] if raw_names else []
        if raw_codes is not None:
            found = []
            split = [c for c in raw_codes.split(",") if c.strip()]
            for position, raw in enumerate(split):
                code = values.commune_code(raw)
                code = self.aliases.get(code, code)
                if not COMMUNE_CODE.match(code):
                    raise _Rejected("commune_code", raw, f"malformed commune code {code!r}")
                name = names[position] if len(names) == len(split) else raw_names if len(split) == 1 else None
                found.append((code, name))
            return found
        if not names:
            raise _Rejected("commune_code", None, "row without a commune (no code, no name)")
        department = department_of_qpv(codes[0]) if len(codes) == 1 else None
        found = []
        for name in names:
            code, reason = self.names.code_of(name, department)
            if code is None:
                raise _Rejected("commune_name", raw_names, reason)
            found.append((code, name))
        return found

    def _shared(self, record: dict, row: int, index: int) -> dict:
        """What a record says of all its QPV × commune rows: population, point, outline, extra."""
        out = {"population": self._population(record, row), "latitude": None, "longitude": None}
        out["point_source"] = out["wkt"] = None
        lat, lon = _number(self.get(record, "latitude")), _number(self.get(record, "longitude"))
        if lat is not None and lon is not None:
            out.update(latitude=lat, longitude=lon, point_source="file")
        geometry = self.read.geometries[index] if self.read.geometries is not None else None
        try:
            shape = read_geometry(geometry)
        except GeometryProblem as problem:
            self.note(row, "geometry", None, f"{problem}: the QPV is kept without a shape")
            shape = None
        if shape is not None:
            if shape.repaired:
                self.note(
                    row, "geometry", shape.repaired, "invalid polygon (self-intersection) repaired with make_valid"
                )
            if shape.wkt is not None:
                self.polygons += 1
                out["wkt"] = shape.wkt
            if out["point_source"] is None or shape.wkt is not None:
                out.update(
                    latitude=shape.latitude,
                    longitude=shape.longitude,
                    point_source="polygon" if shape.wkt else "file",
                )
        extra = {key: record.get(key) for key in self.extra_keys if record.get(key) not in (None, "")}
        out["extra"] = json.dumps(extra, ensure_ascii=False, default=str) if extra else None
        return out

    def _population(self, record: dict, row: int) -> int | None:
        raw = self.get(record, "population")
        try:
            number = parse_french_number(values.clean(raw))
        except (TypeError, ValueError):
            number = math.nan
        if number is None:
            return None
        if not math.isfinite(number) or number < 0 or not float(number).is_integer():
            self.note(row, "population", raw, "unreadable population (expected a whole number ≥ 0): left empty")
            return None
        return int(number)


def rejects_frame(entries: list[dict]) -> pd.DataFrame:
    """Rejects and notes as a frame of REJECT_COLUMNS (missing values None, rows as integers)."""
    frame = pd.DataFrame({c: pd.Series([e.get(c) for e in entries], dtype=object) for c in REJECT_COLUMNS})
    return frame.astype({"row": "int64"})


def _number(value: object) -> float | None:
    try:
        number = parse_french_number(values.clean(value))
    except (TypeError, ValueError):
        return None
    return number if number is not None and math.isfinite(number) else None


def _frame(rows: list[dict]) -> pd.DataFrame:
    types = {"source_row": "int64", "generation": "int64", "population": "Int64", "latitude": "Float64"}
    types["longitude"] = "Float64"
    return pd.DataFrame(
        {column: pd.Series([r[column] for r in rows], dtype=types.get(column, object)) for column in QPV_COLUMNS}
    )
