"""Reading any release of the national France Services listing into canonical rows."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.sites import values
from ingestion.sites.columns import DAYS, REQUIRED_COMMUNE, SYNONYMS
from ingestion.sites.geo import territory_of
from ingestion.sites.hours import CLOSED, OK, UNPARSED, parse_opening_hours
from ingestion.sites.sources import RawTable, read_raw_table
from ingestion.sites.validate import REJECT_COLUMNS
from ingestion.textfiles import match_columns, parse_french_number

CANONICAL_COLUMNS = [
    "site_id",
    "site_name",
    "site_type",
    "site_format",
    "is_mobile",
    "address",
    "postcode",
    "commune_code",
    "department_code",
    "latitude",
    "longitude",
    "email",
    "phone",
    *(f"hours_{day}_raw" for day in DAYS),
    *(f"hours_{day}" for day in DAYS),
    "weekly_opening_hours",
    "days_open",
    "charter_compliant",
    "appointment_required",
    "labelled_on",
    "does_outreach",
    "site_type_raw",
    "site_format_raw",
    "outreach_raw",
    "extra",
    "source_row",
]
# Fields whose unknown values are counted in SiteListing.unknown_values.
CATEGORICAL_FIELDS = ("site_type", "site_format", "does_outreach", "appointment_required")
# Known columns with no canonical column of their own: kept in `extra` under their header.
_KEPT_IN_EXTRA = {"address_extra", "commune_name"}
_KIND_SOURCES = ("site_type", "category", "format", "itinerance")
_COMMUNE_PATTERN = re.compile(r"\d{5}|2[AB]\d{3}")
CHARTER_MIN_HOURS, CHARTER_MIN_DAYS = 24.0, 5


@dataclass
class SiteListing:
    """One release: canonical ``rows``, row-level ``rejects`` and hours-parser coverage.

    ``unknown_values`` maps each categorical field (``site_type``, ``site_format``,
    ``does_outreach``, ``appointment_required``) to {raw value: number of rows} for the values
    the reader did not recognise (each also has a reject row); ``len(rows)`` is the row count.
    """

    rows: pd.DataFrame
    rejects: pd.DataFrame
    hours_coverage: dict
    unknown_values: dict[str, dict[str, int]] = field(default_factory=lambda: {name: {} for name in CATEGORICAL_FIELDS})


def read_site_listing(path: str | Path) -> SiteListing:
    """Read one release (CSV of any dialect or GeoJSON points) into canonical rows.

    Raises ``InputError`` for file-level problems: unreadable or truncated file, no data
    rows, a missing required column (name, commune code, coordinates) or a site id listed
    twice. Row-level problems (unreadable hours or labelling date, missing or unreadable
    coordinates, a site type, format, itinerance or appointment value outside the known
    vocabularies) go to ``rejects``; the row is kept with that value set to None (the raw
    text of type, format and itinerance stays in ``site_type_raw`` / ``site_format_raw`` /
    ``outreach_raw``). The columns' roles are recognised from the header and the values,
    never from the file name.
    """
    path = Path(path)
    table = read_raw_table(path)
    found = match_columns(table.header, SYNONYMS)
    _check_required(found, table, path)
    builder = _RowBuilder(path, table, found)
    records = [builder.build(index) for index in range(len(table.records))]
    rows = _to_frame(records)
    _check_unique_ids(rows, path)
    rejects = pd.DataFrame(builder.rejects, columns=REJECT_COLUMNS)
    return SiteListing(rows, rejects, builder.coverage(), builder.unknown_summary())


def _check_required(found: dict[str, int], table: RawTable, path: Path) -> None:
    if "site_name" not in found:
        raise InputError("missing required column 'site_name' (lib_fs / lib_france_services)", file=path)
    if not any(name in found for name in REQUIRED_COMMUNE):
        raise InputError("missing required column 'commune_code' (insee_com / result_citycode)", file=path)
    has_geometry = table.geometries is not None and any(g is not None for g in table.geometries)
    for name in ("latitude", "longitude"):
        if name not in found and not has_geometry:
            raise InputError(
                f"missing required column {name!r} (no coordinates column and no point geometry)",
                file=path,
            )


def _check_unique_ids(rows: pd.DataFrame, path: Path) -> None:
    ids = rows["site_id"].dropna()
    duplicated = ids[ids.duplicated(keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        where = rows.loc[rows["site_id"] == first, "source_row"].tolist()
        raise InputError(
            f"site id {first!r} appears more than once (rows {', '.join(map(str, where))}); "
            f"{duplicated.nunique()} duplicated id(s) in all",
            file=path,
        )


class _RowBuilder:
    """Builds canonical records one source row at a time, collecting rejects on the way."""

    def __init__(self, path: Path, table: RawTable, found: dict[str, int]) -> None:
        self.path, self.table = path, table
        self.type_source, self.format_source, unused = _kind_layout(table, found)
        self.found = {name: pos for name, pos in found.items() if name not in unused}
        self.rejects: list[dict] = []
        self.unknown: dict[str, Counter] = {name: Counter() for name in CATEGORICAL_FIELDS}
        self.cells = self.unparsed = 0
        used = {pos for name, pos in self.found.items() if name not in _KEPT_IN_EXTRA}
        self.extra_positions = [i for i in range(len(table.header)) if i not in used]

    def get(self, record: list[object], field: str) -> object:
        position = self.found.get(field)
        return None if position is None else record[position]

    def reject(self, row: int, field: str | None, value: object, reason: str) -> None:
        column = self.table.header[self.found[field]] if field in self.found else field
        self.rejects.append({"file": self.path.name, "row": row, "column": column, "value": value, "reason": reason})

    def unknown_value(self, row: int, problem: values.Unknown) -> None:
        self.unknown[problem.field][problem.raw] += 1
        self.reject(row, problem.source, problem.raw, problem.reason)

    def build(self, index: int) -> dict:
        record, row = self.table.records[index], index + 1
        commune = values.commune_code(self.get(record, "commune_code")) or values.commune_code(
            self.get(record, "geocoder_citycode")
        )
        kind = values.site_kind(
            {name: self.get(record, name) for name in _KIND_SOURCES if name in self.found},
            self.type_source,
            self.format_source,
        )
        for problem in kind.unknown:
            self.unknown_value(row, problem)
        out = {
            "site_id": values.site_id(self.get(record, "site_id")),
            "site_name": values.clean(self.get(record, "site_name")),
            "site_type": kind.site_type,
            "site_format": kind.site_format,
            "is_mobile": kind.site_format in values.MOBILE_FORMATS,
            "does_outreach": kind.does_outreach,
            "site_type_raw": kind.site_type_raw,
            "site_format_raw": kind.site_format_raw,
            "outreach_raw": kind.outreach_raw,
            "address": values.clean(self.get(record, "address")),
            "postcode": values.postcode(self.get(record, "postcode")),
            "commune_code": commune,
            "department_code": values.department_code(self.get(record, "department_code"), commune),
            "email": values.clean(self.get(record, "email")),
            "phone": values.clean(self.get(record, "phone")),
            "appointment_required": self._appointment(record, row),
            "labelled_on": self._labelling(record, row),
            "extra": self._extra(record),
            "source_row": row,
        }
        if commune is not None and not _COMMUNE_PATTERN.fullmatch(commune):
            self.reject(row, "commune_code", commune, "malformed commune code")
        out["latitude"], out["longitude"] = self._coordinates(index, record, row)
        out.update(self._hours(record, row))
        return out

    def _appointment(self, record: list[object], row: int) -> bool | None:
        _, required, problem = values.lookup(
            self.get(record, "appointment"), values.YES_NO, "appointment_required", "appointment"
        )
        if problem is not None:
            self.unknown_value(row, problem)
        return required

    def _labelling(self, record: list[object], row: int):
        raw = self.get(record, "labelling")
        try:
            return values.labelling_date(raw)
        except ValueError:
            self.reject(row, "labelling", raw, "unparsable labelling date")
            return None

    def _coordinates(self, index: int, record: list[object], row: int) -> tuple[float | None, float | None]:
        lat_raw, lon_raw = self.get(record, "latitude"), self.get(record, "longitude")
        try:
            lat, lon = _number(lat_raw), _number(lon_raw)
        except ValueError:
            self.reject(row, "latitude", f"{lat_raw}, {lon_raw}", "unparsable coordinates")
            return None, None
        if (lat is None or lon is None) and self.table.geometries is not None:
            point = self.table.geometries[index]
            if point is not None:
                lat, lon = _orient(*point)
        if lat is None or lon is None:
            self.reject(row, "latitude", None, "missing coordinates")
            return None, None
        return lat, lon

    def _hours(self, record: list[object], row: int) -> dict:
        out: dict = {}
        statuses, minutes = [], 0
        for day in DAYS:
            raw = values.clean(self.get(record, f"hours_{day}"))
            parsed = parse_opening_hours(raw)
            out[f"hours_{day}_raw"] = raw
            out[f"hours_{day}"] = parsed.text
            if raw is not None:
                self.cells += 1
            if parsed.status == UNPARSED:
                self.unparsed += 1
                self.reject(row, f"hours_{day}", raw, "unparsed opening hours")
            statuses.append(parsed.status)
            minutes += parsed.minutes or 0
        # A day left empty beside filled ones is a closed day; all empty means hours not given.
        known = any(s in (OK, CLOSED) for s in statuses) and UNPARSED not in statuses
        weekly = minutes / 60 if known else None
        days_open = statuses.count(OK) if known else None
        out["weekly_opening_hours"] = weekly
        out["days_open"] = days_open
        out["charter_compliant"] = weekly >= CHARTER_MIN_HOURS and days_open >= CHARTER_MIN_DAYS if known else None
        return out

    def _extra(self, record: list[object]) -> str:
        extra = {self.table.header[i]: _jsonable(record[i]) for i in self.extra_positions}
        return json.dumps(extra, ensure_ascii=False)

    def unknown_summary(self) -> dict[str, dict[str, int]]:
        """Field -> {raw value: rows} of the values outside the vocabularies."""
        return {name: dict(counts) for name, counts in self.unknown.items()}

    def coverage(self) -> dict:
        parsed = self.cells - self.unparsed
        share = parsed / self.cells if self.cells else 1.0
        return {"cells": self.cells, "parsed": parsed, "unparsed": self.unparsed, "share_parsed": share}


def _kind_layout(table: RawTable, found: dict[str, int]) -> tuple[str | None, str | None, set[str]]:
    """(column holding the site type, column holding a 2024 format, columns feeding neither).

    ``type_fs`` first, then 2020 ``categorie``, then a ``format_fs`` holding types (2020
    Espace labellisé / Antenne, 2022 Site principal / Antenne). A type-holding column that
    is not the type source (FORMAT_FS beside categorie) goes to ``extra`` untouched.
    """
    format_role = None
    if "format" in found:
        cells = [record[found["format"]] for record in table.records]
        format_role = "format" if "site_type" in found or not values.carries_type(cells) else "type"
    type_sources = [name for name in ("site_type", "category") if name in found]
    if format_role == "type":
        type_sources.append("format")
    type_source = type_sources[0] if type_sources else None
    format_source = "format" if format_role == "format" else None
    return type_source, format_source, set(type_sources[1:])


def _number(value: object) -> float | None:
    text = values.clean(value)
    if text is None:
        return None
    number = parse_french_number(text)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {text!r}")
    return number


def _orient(x: float, y: float) -> tuple[float, float]:
    # Some releases write Point coordinates as (lat, lon); GeoJSON says (lon, lat).
    if territory_of(y, x) is None and territory_of(x, y) is not None:
        return x, y
    return y, x


def _jsonable(value: object) -> object:
    if isinstance(value, str):
        return None if values.clean(value) is None else value
    return value


def _to_frame(records: list[dict]) -> pd.DataFrame:
    types = {
        "latitude": "Float64",
        "longitude": "Float64",
        "weekly_opening_hours": "Float64",
        "days_open": "Int64",
        "charter_compliant": "boolean",
        "appointment_required": "boolean",
        "does_outreach": "boolean",
        "is_mobile": "bool",
        "source_row": "int64",
    }
    # Text columns stay `object` holding None: pandas 3 would otherwise infer `str` with NaN.
    return pd.DataFrame(
        {
            column: pd.Series([record[column] for record in records], dtype=types.get(column, object))
            for column in CANONICAL_COLUMNS
        }
    )
