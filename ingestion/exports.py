"""Which source an export file belongs to (activity or satisfaction), from its header."""

from __future__ import annotations

from pathlib import Path

from ingestion.activity import reader as activity
from ingestion.activity.table import head_rows
from ingestion.errors import InputError
from ingestion.satisfaction import reader as satisfaction
from ingestion.textfiles import match_columns

# (header synonyms, required fields) as each reader locates its header row.
EXPORT_HEADERS = {
    "activity": (activity.HEADER_SYNONYMS, activity.REQUIRED),
    "satisfaction": (satisfaction.SYNONYMS, satisfaction.REQUIRED),
}


def detect_export_source(path: Path) -> str:
    """``activity`` or ``satisfaction``: the source whose reader finds its header in ``path``.

    Raises ``InputError`` (one line, naming the file) when neither or both do.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=path)
    found = set()
    for rows in head_rows(path).values():
        for row in rows:
            for source, (synonyms, required) in EXPORT_HEADERS.items():
                if all(field in match_columns(row, synonyms) for field in required):
                    found.add(source)
    if len(found) == 1:
        return found.pop()
    if not found:
        raise InputError(
            "neither an activity export (site, date, partner, requests) nor a satisfaction export "
            "(site, date, satisfaction) in the first 30 rows",
            file=path,
        )
    raise InputError("both an activity and a satisfaction header: send them as two files", file=path)
