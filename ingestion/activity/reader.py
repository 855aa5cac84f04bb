"""Read a local activity export (requests by site, day or month, partner, theme, channel)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ingestion.activity.partners import partner_code
from ingestion.activity.result import ReadResult, RejectCollector
from ingestion.activity.table import load_table
from ingestion.activity.values import (
    clean_site_ids,
    constant_text,
    distinct,
    is_empty,
    parse_counts,
    parse_dates,
    parse_months,
    spread,
    take_text,
)

SITE_HEADERS = ("Matricule", "id_fs", "Identifiant France services", "Code structure")
SYNONYMS = {
    "site": SITE_HEADERS,
    "date": ("Date", "Date de la demande", "Jour"),
    "month": ("Mois",),
    "partner": ("Partenaire", "Opérateur", "Organisme"),
    "theme": ("Thématique", "Thème", "Motif"),
    "channel": ("Canal", "Mode de contact"),
    "requests": ("Nombre de demandes", "Demandes", "Nb demandes"),
    "resolved": ("Dont résolues au premier contact", "Résolues 1er contact", "Résolues"),
}
# "Mois" counts as the date when locating the header; the reader then tells them apart
HEADER_SYNONYMS = {**SYNONYMS, "date": SYNONYMS["date"] + SYNONYMS["month"], "month": ()}
REQUIRED = ("site", "date", "partner", "requests")

ROW_COLUMNS = [
    "site_id",
    "activity_date",
    "is_monthly",
    "partner_code",
    "partner_label",
    "theme",
    "channel",
    "requests",
    "resolved_first_visit",
    "source_sheet",
    "source_row",
]


def read_activity(path: Path, *, today: date | None = None) -> ReadResult:
    """Read one activity export (CSV or XLSX) into typed rows and rejected rows.

    ``rows`` has the columns of ``ROW_COLUMNS``: ``activity_date`` is datetime64[ms] (the
    first day of the month when the file gives months, then ``is_monthly`` is true);
    ``theme`` is '' and ``channel`` and ``resolved_first_visit`` are null when the file has
    no such column. Dates after ``today`` (default: the current date) are rejected.
    Raises ``InputError`` for file-level problems.
    """
    path = Path(path)
    table = load_table(path, SYNONYMS, REQUIRED, header_synonyms=HEADER_SYNONYMS)
    columns = table.columns
    rejects = RejectCollector(path, table)

    site_ids = clean_site_ids(columns["site"])
    rejects.add(spread(is_empty(site_ids), columns["site"]), "site", "missing site id")

    is_monthly = not table.has("date")
    date_field = "month" if is_monthly else "date"
    dates = parse_months(columns["month"]) if is_monthly else parse_dates(columns["date"])
    unreadable = np.isnat(dates)
    rejects.add(unreadable, date_field, "unreadable date")
    rejects.add(~unreadable & (dates > np.datetime64(today or date.today(), "ms")), date_field, "date in the future")

    requests, _ = parse_counts(columns["requests"])
    rejects.add(np.isnan(requests), "requests", "non-numeric count")
    rejects.add(requests < 0, "requests", "negative count")
    if table.has("resolved"):
        resolved, resolved_blank = parse_counts(columns["resolved"])
        rejects.add(np.isnan(resolved) & ~resolved_blank, "resolved", "non-numeric count")
        rejects.add(resolved < 0, "resolved", "negative count")
        rejects.add((requests >= 0) & (resolved > requests), "resolved", "resolved greater than requests")
    else:
        resolved = np.full(len(table), np.nan)

    good = ~rejects.bad
    labels = distinct(columns["partner"])
    partner_codes = pa.array([_partner_code(label) for label in labels.to_pylist()], type=pa.string())
    # ``copy=False``: every array below is new, and copying them into shared blocks costs more
    # than the rest of the frame
    rows = pd.DataFrame(
        {
            "site_id": take_text(site_ids, columns["site"], good),
            "activity_date": dates[good],
            "is_monthly": np.full(good.sum(), is_monthly),
            "partner_code": take_text(partner_codes, columns["partner"], good),
            "partner_label": take_text(labels, columns["partner"], good),
            "theme": _optional_text(table, "theme", "", good),
            "channel": _optional_text(table, "channel", None, good),
            "requests": requests[good].astype("int64"),
            "resolved_first_visit": pd.array(resolved[good], dtype="Int64"),
            "source_sheet": table.source_sheet[good],
            "source_row": table.source_row[good],
        },
        copy=False,
    )
    return ReadResult(rows=rows, rejects=rejects.frame())


# the same few labels come back in every file, and matching one runs a dozen regexes
_partner_code = lru_cache(maxsize=4096)(partner_code)


def _optional_text(table, field: str, blank: str | None, rows: np.ndarray):
    """A free-text field stripped, ``blank`` where empty or where the file has no such column."""
    if not table.has(field):
        return constant_text(blank, rows.sum())
    values = distinct(table.columns[field])
    if blank is None:
        values = pa.array([value or None for value in values.to_pylist()], type=pa.string())
    return take_text(values, table.columns[field], rows)
