"""The DITP barometer of public action: indicator exports by zone and month.

Header ``indic_id,enforce_zone_id,metric_enforce_date,maille,indic_vi,indic_va,indic_vc,indic_ta``
(columns in any order): one row per indicator × zone × date with up to four measures, the
initial value, the current value, the target and the achievement rate. The reader turns it into
one long table, one row per indicator × zone × month × measure:

- a month is dated by its first day (2024 exports) or its last (2023 exports): both give the
  month; any other day is quarantined, and three consecutive days in one series (a spreadsheet
  fill-down) refuse the file;
- numbers are ``5018`` or ``5018.0``; an empty cell is no value of that measure, a row without
  any value (the 2024 exports list zones that publish nothing) is skipped and counted;
- zones ``D01``…``D976``, ``D2A``, ``R84``, ``FRANCE`` become department, region and national
  territories; an unknown zone, date or number is quarantined (row, column, reason);
- an indicator other than IND-323 and IND-246 is kept raw (``indicator`` null) and listed.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ingestion.barometer.filldown import find_fill_down
from ingestion.barometer.zones import LEVEL_OF_MAILLE, territory_of_zone
from ingestion.errors import InputError
from ingestion.textfiles import match_columns, parse_french_number, read_csv_records

INDICATORS = {"IND-323": "monthly_acts", "IND-246": "satisfaction_rate"}
"""The indicators the warehouse knows: France Services acts per month, users' satisfaction (%)."""

COLUMNS = {
    "indicator": ["indic_id"],
    "zone": ["enforce_zone_id"],
    "date": ["metric_enforce_date"],
    "maille": ["maille"],
    "initial": ["indic_vi"],
    "current": ["indic_va"],
    "target": ["indic_vc"],
    "achievement": ["indic_ta"],
}
MEASURES = ("initial", "current", "target", "achievement")
REQUIRED = ("indicator", "zone", "date")
OUTPUT = {
    "indicator_id": "string",
    "indicator": "string",
    "zone_id": "string",
    "territory_level": "string",
    "territory_code": "string",
    "month_start": "datetime64[s]",
    "measure": "string",
    "value": "float64",
    "source_date": "datetime64[s]",
    "source_row": "int64",
}
REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]
MAX_REJECTED_SHARE = 0.5
"""More than this share of the rows with a value rejected fails the file (a wrong file, not bad rows)."""


@dataclass(frozen=True)
class DitpExport:
    """One DITP export read: its values, what was rejected, and what was kept but not recognised.

    ``rows``: one per indicator × zone × month × measure (columns ``OUTPUT``). ``rejects``:
    values not loaded (file, sheet, row, column, value, reason). ``notes``: rows loaded with a
    remark (an unknown indicator). ``unknown_indicators``: indicator id → rows of the file.
    ``empty_rows``: rows without any value, skipped.
    """

    rows: pd.DataFrame
    rejects: pd.DataFrame
    notes: pd.DataFrame
    unknown_indicators: dict[str, int]
    empty_rows: int


def is_ditp_header(header: Sequence[object]) -> bool:
    """True for the header of a DITP export (it names its indicator column ``indic_id``)."""
    return "indicator" in match_columns(header, {"indicator": COLUMNS["indicator"]})


def empty_ditp_rows() -> pd.DataFrame:
    """A table of DITP values with no row and the right column types."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in OUTPUT.items()})


def read_ditp_export(path: Path) -> DitpExport:
    """Read a DITP export file (see the module docstring); raise ``InputError`` for file-level problems."""
    path = Path(path)
    numbered = read_csv_records(path)
    if not numbered:
        raise InputError("the file has no header row (nothing but delimiters and spaces)", file=path)
    return ditp_export_from_records(path, numbered)


_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def _parse_date(text: str) -> date | None:
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _parse_number(text: str) -> float | None:
    try:
        value = parse_french_number(text)
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _is_month_edge(day: date) -> bool:
    return day.day == 1 or day.day == calendar.monthrange(day.year, day.month)[1]


def ditp_export_from_records(path: Path, numbered: list[tuple[int, list[str]]]) -> DitpExport:
    """The DITP export held by ``numbered`` (``(line, cells)`` records, header first)."""
    path = Path(path)
    header_line, header = numbered[0]
    pos = match_columns(header, COLUMNS)
    for field in REQUIRED:
        if field not in pos:
            label = COLUMNS[field][0]
            raise InputError(f"missing required column {label!r}", file=path, row=header_line, column=label)
    measures = [m for m in MEASURES if m in pos]
    if not measures:
        expected = ", ".join(COLUMNS[m][0] for m in MEASURES)
        raise InputError(f"no measure column (expected one of {expected})", file=path, row=header_line)
    label = {field: str(header[index]).strip() for field, index in pos.items()}

    rejects: list[dict] = []
    notes: list[dict] = []
    unknown: Counter[str] = Counter()
    candidates: list[dict] = []
    series: dict[tuple[str, str], list[tuple[int, date]]] = defaultdict(list)
    rows_with_values, empty_rows = 0, 0

    def reject(row: int, field: str, value: str, reason: str) -> None:
        rejects.append(
            {"file": path.name, "sheet": None, "row": row, "column": label[field], "value": value, "reason": reason}
        )

    for number, cells in numbered[1:]:

        def get(field: str, cells=cells) -> str:
            return cells[pos[field]].strip() if field in pos and pos[field] < len(cells) else ""

        texts = {m: get(m) for m in measures}
        if not any(texts.values()):
            empty_rows += 1
            continue
        rows_with_values += 1
        indicator_id, zone_id, date_text = get("indicator"), get("zone").upper(), get("date")
        if not indicator_id:
            reject(number, "indicator", "", "empty indicator id")
            continue
        territory = territory_of_zone(zone_id)
        if territory is None:
            reason = f"unknown zone {zone_id!r} (expected D + a department code, R + a region code, or FRANCE)"
            reject(number, "zone", get("zone"), reason)
            continue
        maille = get("maille").upper()
        if maille and LEVEL_OF_MAILLE.get(maille) != territory[0]:
            known = maille in LEVEL_OF_MAILLE
            reason = (
                f"zone {zone_id} is a {territory[0]} zone but maille says {maille!r}"
                if known
                else f"unknown maille {maille!r} (expected DEPT, REG or NAT)"
            )
            reject(number, "maille", get("maille"), reason)
            continue
        day = _parse_date(date_text)
        if day is None:
            reject(number, "date", date_text, "not a date (expected YYYY-MM-DD)")
            continue
        series[(indicator_id, zone_id)].append((number, day))
        if indicator_id not in INDICATORS:
            unknown[indicator_id] += 1
            notes.append(
                {
                    "file": path.name,
                    "sheet": None,
                    "row": number,
                    "column": label["indicator"],
                    "value": indicator_id,
                    "reason": f"unknown indicator {indicator_id!r} (kept raw)",
                }
            )
        for measure in measures:
            if not texts[measure]:
                continue
            value = _parse_number(texts[measure])
            if value is None:
                reject(number, measure, texts[measure], "not a number")
                continue
            candidates.append(
                {
                    "indicator_id": indicator_id,
                    "indicator": INDICATORS.get(indicator_id),
                    "zone_id": zone_id,
                    "territory_level": territory[0],
                    "territory_code": territory[1],
                    "month_start": day.replace(day=1),
                    "measure": measure,
                    "value": value,
                    "source_date": day,
                    "source_row": number,
                }
            )

    fill_down = find_fill_down(series)
    if fill_down is not None:
        raise InputError(fill_down.describe(), file=path, column=label["date"])
    values, mid_month_rows = [], set()
    for candidate in candidates:
        if _is_month_edge(candidate["source_date"]):
            values.append(candidate)
        elif candidate["source_row"] not in mid_month_rows:
            mid_month_rows.add(candidate["source_row"])
            reason = "not the first or last day of a month (a monthly figure is dated by either)"
            reject(candidate["source_row"], "date", candidate["source_date"].isoformat(), reason)
    values = _without_conflicts(values, reject)

    rejected_rows = len({r["row"] for r in rejects} - {v["source_row"] for v in values})
    if rows_with_values and not values:
        raise InputError(f"no value could be read ({_most_common_reason(rejects)})", file=path)
    if rows_with_values and rejected_rows > MAX_REJECTED_SHARE * rows_with_values:
        raise InputError(
            f"{rejected_rows:,} of {rows_with_values:,} rows rejected (more than {MAX_REJECTED_SHARE:.0%}; "
            f"{_most_common_reason(rejects)}): not a usable export",
            file=path,
        )
    if not values:
        raise InputError("no row has a value" if empty_rows else "no data rows (a header only)", file=path)
    rows = pd.DataFrame.from_records(values, columns=list(OUTPUT)).astype(OUTPUT)
    return DitpExport(
        rows=rows.sort_values(["source_row", "measure"], kind="stable").reset_index(drop=True),
        rejects=_frame(rejects),
        notes=_frame(notes),
        unknown_indicators=dict(unknown),
        empty_rows=empty_rows,
    )


def _without_conflicts(values: list[dict], reject) -> list[dict]:
    """One value per indicator × zone × month × measure: a month dated twice with the same
    value keeps one row; different values are all rejected (which one is right is unknown)."""
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for value in values:
        by_key[(value["indicator_id"], value["zone_id"], value["month_start"], value["measure"])].append(value)
    kept = []
    for (indicator_id, zone_id, month, measure), group in by_key.items():
        if len({v["value"] for v in group}) == 1:
            kept.append(group[0])
            continue
        rows = ", ".join(str(v["source_row"]) for v in group)
        for v in group:
            reason = f"{indicator_id} {zone_id} {month:%Y-%m} {measure}: conflicting values in rows {rows}"
            reject(v["source_row"], measure, f"{v['value']:g}", reason)
    return kept


def _most_common_reason(rejects: list[dict]) -> str:
    if not rejects:
        return "no row rejected"
    reason, count = Counter(r["reason"] for r in rejects).most_common(1)[0]
    return f"most often: {reason} ({count:,})"


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=REJECT_COLUMNS)
    return frame.sort_values("row", kind="stable").reset_index(drop=True)
