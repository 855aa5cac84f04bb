"""The barometer files: the Etalab counts of France Services and the DITP indicator exports.

Etalab detail files give a monthly series (national: `maille_geographique`, `date`, `valeur`;
regional: `code_region`, `date`, `valeur`); synthesis files give the latest value and the target
per territory (`valeur_actuelle`, `date_valeur_actuelle`, `cible`, `date_cible`). DITP exports
(`indic_id`, `enforce_zone_id`, `metric_enforce_date`, …) are read by ``ingestion.barometer.ditp``.
The layout is recognised from the header, never from the file name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ingestion.barometer.ditp import DitpExport, ditp_export_from_records, is_ditp_header
from ingestion.errors import InputError
from ingestion.textfiles import match_columns, parse_french_number, read_csv_records

INDICATOR = "nb-labellisations-france-services"
COLUMNS = {
    "indicator": ["id_indicateur"],
    "national": ["maille_geographique"],
    "region": ["code_region"],
    "department": ["code_departement"],
    "date": ["date"],
    "value": ["valeur"],
    "current_value": ["valeur_actuelle"],
    "current_date": ["date_valeur_actuelle"],
    "target": ["cible"],
    "target_date": ["date_cible"],
}
OUTPUT = ["level", "territory_code", "date", "value", "kind", "source_row"]


@dataclass(frozen=True)
class BarometerRows:
    """France Services rows of one barometer file: published counts and targets."""

    rows: pd.DataFrame
    layout: str


def _number(text: str, *, path: Path, row: int, column: str) -> float:
    """A finite number; an empty cell, ``nan`` or ``inf`` is no published value."""
    try:
        value = parse_french_number(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        raise InputError(f"not a number: {text[:40]!r}", file=path, row=row, column=column) from None
    return value


_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def _date(text: str, *, path: Path, row: int, column: str) -> date:
    """An ISO date (``2022-12-31``, a time of day allowed), as every barometer file writes them.

    Not ``pd.Timestamp``: it reads ``''`` as NaT, ``now`` as today, ``01/02/2022`` as 2 January
    and crashes on ``\\1`` (year 0).
    """
    match = _ISO_DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        return date.fromisoformat(match.group(1))
    except ValueError:
        raise InputError(
            f"not a date (expected YYYY-MM-DD): {text[:40]!r}", file=path, row=row, column=column
        ) from None


def read_barometer_file(path: Path) -> BarometerRows | DitpExport:
    """Read a barometer file of either shape, told apart by its header: a DITP export
    (``DitpExport``, header with ``indic_id``) or an Etalab detail or synthesis file
    (``BarometerRows``)."""
    path = Path(path)
    numbered = _records(path)
    if is_ditp_header(numbered[0][1]):
        return ditp_export_from_records(path, numbered)
    return _etalab_rows(path, numbered)


def read_barometer(path: Path) -> BarometerRows:
    """Return the rows of indicator ``nb-labellisations-france-services`` (counts, targets).

    ``level`` is national, region or department; ``kind`` is ``published`` or ``target``;
    ``source_row`` is the line the row starts on.
    """
    path = Path(path)
    return _etalab_rows(path, _records(path))


def _records(path: Path) -> list[tuple[int, list[str]]]:
    numbered = read_csv_records(path)
    if not numbered:
        raise InputError("the file has no header row (nothing but delimiters and spaces)", file=path)
    return numbered


def _etalab_rows(path: Path, numbered: list[tuple[int, list[str]]]) -> BarometerRows:
    header_line, header = numbered[0]
    pos = match_columns(header, COLUMNS)
    if "indicator" not in pos:
        raise InputError("missing required column 'id_indicateur'", file=path, row=header_line, column="id_indicateur")
    if "national" in pos and "value" in pos:
        layout, level = "detail", "national"
    elif "region" in pos and "value" in pos:
        layout, level = "detail", "region"
    elif "current_value" in pos:
        layout = "synthesis"
        level = "department" if "department" in pos else "region" if "region" in pos else "national"
    else:
        raise InputError("not a barometer layout: expected 'valeur' or 'valeur_actuelle'", file=path, row=header_line)
    records = []
    for number, cells in numbered[1:]:
        get = lambda f: cells[pos[f]].strip() if f in pos and pos[f] < len(cells) else ""  # noqa: E731
        if get("indicator") != INDICATOR:
            continue
        code = "FR" if level == "national" else get(level)
        if level == "department":
            code = code.zfill(2)

        def record(kind: str, date_field: str, value_field: str, date_column: str, value_column: str) -> dict:
            return {
                "level": level,
                "territory_code": code,
                "date": _date(get(date_field), path=path, row=number, column=date_column),
                "value": _number(get(value_field), path=path, row=number, column=value_column),
                "kind": kind,
                "source_row": number,
            }

        if layout == "detail":
            records.append(record("published", "date", "value", "date", "valeur"))
        else:
            records.append(
                record("published", "current_date", "current_value", "date_valeur_actuelle", "valeur_actuelle")
            )
            if get("target") and get("target_date"):
                records.append(record("target", "target_date", "target", "date_cible", "cible"))
    if not records:
        raise InputError(f"no rows of indicator {INDICATOR!r}", file=path)
    return BarometerRows(pd.DataFrame.from_records(records, columns=OUTPUT), layout)
