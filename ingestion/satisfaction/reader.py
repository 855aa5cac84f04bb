"""Read a satisfaction survey export (one row per answer)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ingestion.activity.reader import SITE_HEADERS
from ingestion.activity.result import ReadResult, RejectCollector
from ingestion.activity.table import load_table
from ingestion.activity.values import clean_site_ids, distinct, is_empty, parse_dates, spread, take_text
from ingestion.textfiles import normalise_label

SYNONYMS = {
    "site": SITE_HEADERS,
    "date": ("Date de réponse", "Date"),
    "satisfaction": ("Satisfaction",),
    "recommend": ("Recommanderiez-vous France services ?", "Recommandation"),
}
REQUIRED = ("site", "date", "satisfaction")
SATISFACTION_LABELS = {
    "tres satisfait": 5,
    "satisfait": 4,
    "ni satisfait ni insatisfait": 3,
    "peu satisfait": 2,
    "pas du tout satisfait": 1,
}
_YES_NO = {
    "oui": True,
    "o": True,
    "yes": True,
    "vrai": True,
    "true": True,
    "1": True,
    "non": False,
    "n": False,
    "no": False,
    "faux": False,
    "false": False,
    "0": False,
}

ROW_COLUMNS = [
    "site_id",
    "response_date",
    "satisfaction_score",
    "satisfied",
    "would_recommend",
    "source_sheet",
    "source_row",
]


def read_satisfaction(path: Path, *, today: date | None = None) -> ReadResult:
    """Read one satisfaction export (CSV or XLSX) into typed answers and rejected rows.

    ``satisfaction_score`` is 1–5 (labels mapped: Très satisfait 5, Satisfait 4, Peu
    satisfait 2, Pas du tout satisfait 1); ``satisfied`` means 4 or 5; ``would_recommend``
    is null when blank or when the file has no such column. Raises ``InputError`` for
    file-level problems.
    """
    path = Path(path)
    table = load_table(path, SYNONYMS, REQUIRED)
    columns = table.columns
    rejects = RejectCollector(path, table)

    site_ids = clean_site_ids(columns["site"])
    rejects.add(spread(is_empty(site_ids), columns["site"]), "site", "missing site id")

    dates = parse_dates(columns["date"])
    unreadable = np.isnat(dates)
    rejects.add(unreadable, "date", "unreadable date")
    rejects.add(~unreadable & (dates > np.datetime64(today or date.today(), "ms")), "date", "date in the future")

    scores = spread(_scores(columns["satisfaction"]), columns["satisfaction"])
    rejects.add(np.isnan(scores), "satisfaction", "unreadable satisfaction")

    if table.has("recommend"):
        answers, unreadable_answer = _yes_no(columns["recommend"])
        rejects.add(unreadable_answer, "recommend", "unreadable recommendation")
    else:
        answers = np.full(len(table), np.nan)

    good = ~rejects.bad
    kept_scores = scores[good].astype("int64")
    # in ROW_COLUMNS order; ``copy=False``: every array is new (as in the activity reader)
    rows = pd.DataFrame(
        {
            "site_id": take_text(site_ids, columns["site"], good),
            "response_date": dates[good],
            "satisfaction_score": kept_scores,
            "satisfied": kept_scores >= 4,
            "would_recommend": pd.array(answers[good], dtype="Float64").astype("boolean"),
            "source_sheet": table.source_sheet[good],
            "source_row": table.source_row[good],
        },
        copy=False,
    )
    return ReadResult(rows=rows, rejects=rejects.frame())


def _scores(column) -> np.ndarray:
    """Per distinct value: the 1–5 score from a number or a label; NaN when neither."""
    scores = []
    for value in distinct(column).to_pylist():
        label = normalise_label(value)
        if label in SATISFACTION_LABELS:
            scores.append(SATISFACTION_LABELS[label])
            continue
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = np.nan
        scores.append(number if number in (1, 2, 3, 4, 5) else np.nan)
    return np.asarray(scores, dtype=float)


def _yes_no(column) -> tuple[np.ndarray, np.ndarray]:
    """(1.0 yes / 0.0 no / NaN blank, unreadable mask) for every row."""
    values = [normalise_label(value) for value in distinct(column).to_pylist()]
    answers = np.asarray([float(_YES_NO[v]) if v in _YES_NO else np.nan for v in values])
    unreadable = np.asarray([v != "" and v not in _YES_NO for v in values], dtype=bool)
    return spread(answers, column), spread(unreadable, column)
