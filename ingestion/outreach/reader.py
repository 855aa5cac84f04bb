"""Reading a file of outreach places (bus stops, permanences) into places and weekly sessions."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.insee.codes import COMMUNE_CODE, department_of
from ingestion.outreach.identity import place_id
from ingestion.outreach.opening_hours import ALL, EVEN, ODD, UnreadableHours, format_time, parse_opening_hours
from ingestion.outreach.positions import place_on_commune_points
from ingestion.outreach.shapes import TEMPLATE, field_keys, read_outreach_records
from ingestion.sites import values
from ingestion.textfiles import normalise_label, parse_french_number

# The columns of each table and their types (text as pandas strings: an empty table keeps them).
PLACE_TYPES = {
    "source_row": "int64",
    "place_id": "string",
    "source_place_id": "string",
    "site_id": "string",
    "structure_parente": "string",
    "place_name": "string",
    "address": "string",
    "postcode": "string",
    "commune_code": "string",
    "commune_name": "string",
    "department_code": "string",
    "latitude": "Float64",
    "longitude": "Float64",
    "given_latitude": "Float64",
    "given_longitude": "Float64",
    "position_replaced": "bool",
    "km_from_commune": "Float64",
    "opening_hours": "string",
    "weeks_raw": "string",
    "weeks": "string",
    "public_holidays_off": "bool",
    "sessions": "int64",
    "hours_odd_week": "float64",
    "hours_even_week": "float64",
    "hours_per_week_avg": "float64",
    "valid_from": "datetime64[s]",
    "valid_to": "datetime64[s]",
    "labels_nationaux": "string",
    "extra": "string",
}
SESSION_TYPES = {
    "source_row": "int64",
    "place_id": "string",
    "weekday": "int64",
    "weekday_code": "string",
    "start_time": "string",
    "end_time": "string",
    "start_minute": "int64",
    "end_minute": "int64",
    "minutes": "int64",
    "weeks": "string",
}
PLACE_COLUMNS, SESSION_COLUMNS = list(PLACE_TYPES), list(SESSION_TYPES)
_POSITION_COLUMNS = ("latitude", "longitude", "position_replaced", "km_from_commune")
REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]
MAX_REJECTED_SHARE = 0.5
"""A file with more than half of its places rejected is the wrong file or a broken export."""

# `ouverture` of the lieux schema and `weeks` of the template, compared without case or accents.
_WEEKS = {
    "": ALL,
    "all": ALL,
    "toutes": ALL,
    "toutes les semaines": ALL,
    "chaque semaine": ALL,
    "odd": ODD,
    "semaine impaire": ODD,
    "semaines impaires": ODD,
    "even": EVEN,
    "semaine paire": EVEN,
    "semaines paires": EVEN,
}
# Canonical field → its key in each shape; the lieux fields not named here go to `extra`.
_LIEUX = {
    "source_place_id": "id",
    "place_name": "nom",
    "commune_name": "commune",
    "commune_code": "code_insee",
    "postcode": "code_postal",
    "address": "adresse",
    "latitude": "latitude",
    "longitude": "longitude",
    "opening_hours": "horaires",
    "weeks": "ouverture",
    "structure_parente": "structure_parente",
    "labels_nationaux": "labels_nationaux",
}
_TEMPLATE = {name: name for name in ("site_id", "place_name", "commune_code", "latitude", "longitude")} | {
    "opening_hours": "opening_hours",
    "weeks": "weeks",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class OutreachFile:
    """What one outreach file holds: ``places`` (one row per place line of the file, with its
    validity and hours), their ``sessions`` (place × weekday × start × end × week parity) and
    ``rejects`` (file, sheet, row, column, value, reason): the rows not loaded and the notes
    on rows loaded with a correction. ``rejected_rows`` counts the rows not loaded."""

    shape: str
    places: pd.DataFrame
    sessions: pd.DataFrame
    rejects: pd.DataFrame
    rejected_rows: int


class _Rejected(Exception):
    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field, self.value, self.reason = field, value, reason


def read_outreach_places(
    path: str | Path, communes: pd.DataFrame, aliases: dict[str, str] | None = None
) -> OutreachFile:
    """Read a *lieux de médiation numérique* file (JSON or CSV) or a template file of places.

    ``communes`` is the INSEE register (commune_code, latitude, longitude); ``aliases`` maps
    delegated and associated commune codes to their commune. Commune codes written as
    integers are padded back (``1053`` → ``01053``). A place is rejected (quarantined, not
    loaded) when it has no name, no or an unknown commune, opening hours that are missing or
    unreadable, an unknown week parity or unreadable validity dates, or repeats an earlier
    line; a point more than 20 km from its commune's point (or no point) is replaced by the
    commune's, noted, and the place loads. Raises ``InputError`` for file-level problems,
    including more than half of the places rejected.
    """
    path = Path(path)
    read = read_outreach_records(path)
    keys = field_keys(read.keys)
    mapping = _TEMPLATE if read.shape == TEMPLATE else _LIEUX
    columns = {field: keys.get(name, name) for field, name in mapping.items()}
    used = {columns[field] for field in mapping if mapping[field] in keys}
    known = set(communes["commune_code"])
    aliases = aliases or {}
    rejects: list[dict] = []
    places: list[dict] = []
    sessions: list[dict] = []
    seen: dict[tuple, int] = {}
    for record, row in zip(read.records, read.rows):
        try:
            place, schedule = _place(record, row, columns, read.shape, known, aliases)
            signature = (place["place_id"], place["opening_hours"], place["weeks"], place["valid_from"])
            if signature in seen:
                raise _Rejected("place_name", place["place_name"], f"same place and hours as row {seen[signature]}")
            seen[signature] = row
        except _Rejected as problem:
            column = columns.get(problem.field, problem.field)
            rejects.append(
                {
                    "file": path.name,
                    "row": row,
                    "column": column,
                    "value": _text(problem.value),
                    "reason": problem.reason,
                }
            )
            continue
        place["extra"] = json.dumps(
            {key: value for key, value in record.items() if key not in used and value not in (None, "")},
            ensure_ascii=False,
            default=str,
        )
        places.append(place)
        sessions += [
            {
                "source_row": row,
                "place_id": place["place_id"],
                "weekday": s.weekday,
                "weekday_code": s.weekday_code,
                "start_time": format_time(s.start),
                "end_time": format_time(s.end),
                "start_minute": s.start,
                "end_minute": s.end,
                "minutes": s.minutes,
                "weeks": s.weeks,
            }
            for s in schedule.sessions
        ]
    rejected = len(rejects)
    _check_rejected_share(rejected, len(read.records), rejects, path)
    frame = _places_frame(places)
    frame, notes = place_on_commune_points(frame, communes, file=path.name, columns=columns)
    all_rejects = rejects_frame(sorted([*rejects, *notes], key=lambda entry: entry["row"]))
    return OutreachFile(read.shape, frame[PLACE_COLUMNS], _sessions_frame(sessions), all_rejects, rejected)


def _place(record: dict, row: int, columns: dict[str, str], shape: str, known: set[str], aliases: dict[str, str]):
    def get(field: str) -> object:
        return record.get(columns[field]) if field in columns else None

    name = values.clean(get("place_name"))
    if name is None:
        raise _Rejected("place_name", None, "place without a name")
    raw_code = get("commune_code")
    code = values.commune_code(raw_code)
    if code is None:
        raise _Rejected("commune_code", raw_code, "place without a commune code: it cannot be located")
    code = aliases.get(code, code)
    if not COMMUNE_CODE.match(code):
        raise _Rejected("commune_code", raw_code, f"malformed commune code {code!r}")
    if code not in known:
        raise _Rejected("commune_code", raw_code, f"unknown commune code {code}")
    weeks_raw = values.clean(get("weeks"))
    weeks = _WEEKS.get(normalise_label(weeks_raw or ""))
    if weeks is None:
        expected = "all, odd or even" if shape == TEMPLATE else "Semaine impaire or Semaine paire"
        raise _Rejected("weeks", weeks_raw, f"unknown week parity {weeks_raw!r} (expected {expected})")
    hours = values.clean(get("opening_hours"))
    if hours is None:
        raise _Rejected("opening_hours", None, "missing opening_hours")
    try:
        schedule = parse_opening_hours(hours, weeks)
    except UnreadableHours as error:
        raise _Rejected("opening_hours", hours, str(error)) from None
    if not schedule.sessions:
        raise _Rejected("opening_hours", hours, f"opening_hours {hours!r} opens no session in any week")
    valid_from = _date(get("valid_from"), "valid_from")
    valid_to = _date(get("valid_to"), "valid_to")
    if shape == TEMPLATE and valid_from is None:
        raise _Rejected("valid_from", None, "missing valid_from (the date the place starts being served)")
    if valid_from and valid_to and valid_to < valid_from:
        raise _Rejected("valid_to", valid_to.isoformat(), f"valid_to {valid_to} before valid_from {valid_from}")
    lat, lon = _coordinate(get("latitude")), _coordinate(get("longitude"))
    written = [_text(get("latitude")), _text(get("longitude"))]
    unreadable = ", ".join(text or "" for text in written) if (lat is None or lon is None) and any(written) else None
    site_id = values.site_id(get("site_id"))
    parent = values.clean(get("structure_parente"))
    place = {
        "source_row": row,
        "place_id": place_id(site_id or parent, code, name),
        "source_place_id": values.site_id(get("source_place_id")),
        "site_id": site_id,
        "structure_parente": parent,
        "place_name": name,
        "address": values.clean(get("address")),
        "postcode": values.postcode(get("postcode")),
        "commune_code": code,
        "commune_name": values.clean(get("commune_name")),
        "department_code": department_of(code),
        "given_latitude": lat,
        "given_longitude": lon,
        "unreadable_position": unreadable,
        "opening_hours": hours,
        "weeks_raw": weeks_raw,
        "weeks": schedule.weeks,
        "public_holidays_off": schedule.public_holidays_off,
        "sessions": len(schedule.sessions),
        "hours_odd_week": schedule.hours_in(ODD),
        "hours_even_week": schedule.hours_in(EVEN),
        "hours_per_week_avg": schedule.hours_per_week_avg,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "labels_nationaux": values.clean(get("labels_nationaux")),
    }
    return place, schedule


def _date(value: object, field: str) -> date | None:
    text = values.clean(value)
    if text is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _Rejected(field, text, f"unreadable date {text!r} (expected YYYY-MM-DD)") from None


def _coordinate(value: object) -> float | None:
    """A latitude or longitude; None when empty or not a finite number (the commune's point is then used)."""
    if isinstance(value, bool):
        return None
    try:
        number = parse_french_number(values.clean(value))
    except (TypeError, ValueError):
        return None
    return number if number is not None and math.isfinite(number) else None


def _check_rejected_share(rejected: int, total: int, rejects: list[dict], path: Path) -> None:
    if rejected <= MAX_REJECTED_SHARE * total:
        return
    first = rejects[0]
    raise InputError(
        f"{rejected:,} of {total:,} places rejected ({rejected / total:.0%}, more than "
        f"{MAX_REJECTED_SHARE:.0%}); first: row {first['row']}, column {first['column']!r}: {first['reason']}",
        file=path,
    )


def rejects_frame(entries: list[dict]) -> pd.DataFrame:
    """Rejects and notes as a frame of REJECT_COLUMNS (missing values None, rows as integers)."""
    frame = pd.DataFrame({c: pd.Series([e.get(c) for e in entries], dtype=object) for c in REJECT_COLUMNS})
    return frame.astype({"row": "int64"})


def _text(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value)


def _places_frame(places: list[dict]) -> pd.DataFrame:
    """The places before ``place_on_commune_points`` adds their final position (with the text of
    coordinates that could not be read, for its note)."""
    types = {c: t for c, t in PLACE_TYPES.items() if c not in _POSITION_COLUMNS}
    return _frame(places, {**types, "unreadable_position": "string"})


def _sessions_frame(sessions: list[dict]) -> pd.DataFrame:
    return _frame(sessions, SESSION_TYPES)


def _frame(records: list[dict], types: dict[str, str]) -> pd.DataFrame:
    columns = {}
    for column, dtype in types.items():
        cells = [record.get(column) for record in records]
        if dtype.startswith("datetime"):
            columns[column] = pd.to_datetime(pd.Series(cells, dtype=object)).astype(dtype)
        else:
            columns[column] = pd.Series(cells, dtype=dtype)
    return pd.DataFrame(columns)


def empty_places() -> pd.DataFrame:
    """A places table with no rows and every column typed."""
    return _frame([], PLACE_TYPES)


def empty_sessions() -> pd.DataFrame:
    """A sessions table with no rows and every column typed."""
    return _frame([], SESSION_TYPES)
