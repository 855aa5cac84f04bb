"""Recognise which INSEE publication a file is, from its content (never from its name)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from ingestion.errors import InputError
from ingestion.textfiles import decode_text, normalise_label, sniff_delimiter

KINDS = ("populations", "epci", "cog")

NO_VINTAGE = "the file does not say its census vintage: give --year YYYY"
"""What a legal-populations file without a stated vintage (and without ``--year``) is told."""


def text_header(text: str) -> list[str]:
    """The normalised labels of the first non-empty line of a CSV text."""
    delimiter = sniff_delimiter(text[:20000])
    for line in text.splitlines():
        if line.strip():
            return [normalise_label(cell) for cell in next(csv.reader([line], delimiter=delimiter))]
    return []


def is_populations_csv_header(labels: list[str]) -> bool:
    """``donnees_communes.csv``: PMUN with CODDEP+CODCOM (older header) or DEP+COM (newer)."""
    names = set(labels)
    return "pmun" in names and ({"coddep", "codcom"} <= names or {"dep", "com"} <= names)


def detect_insee_kind(path: Path, *, year: int | None = None) -> str:
    """Return ``populations``, ``epci`` or ``cog`` for a file, or raise ``InputError``.

    Legal populations come as ``ensemble.xlsx`` (vintage in its title rows) or as
    ``donnees_communes.csv``, which states no vintage: without ``year`` (``--year``) that
    file is refused.
    """
    path = Path(path)
    if zipfile.is_zipfile(path):
        from python_calamine import CalamineWorkbook

        try:
            sheets = CalamineWorkbook.from_path(str(path)).sheet_names
        except Exception as exc:
            raise InputError(f"not a readable XLSX workbook ({exc})", file=path) from None
        if "Composition_communale" in sheets:
            return "epci"
        if "Communes" in sheets or any("population" in s.lower() for s in sheets):
            return "populations"
        raise InputError(
            "not a recognised INSEE workbook: expected sheet 'Communes' (legal populations) "
            f"or 'Composition_communale' (EPCI); found {', '.join(sheets)}",
            file=path,
        )
    text = decode_text(path)
    labels = text_header(text[:20000])
    if "typecom" in labels or "TYPECOM" in text[:2000].upper():
        return "cog"
    if is_populations_csv_header(labels):
        if year is None:
            raise InputError(NO_VINTAGE, file=path)
        return "populations"
    raise InputError(
        "not a recognised INSEE file: expected ensemble.xlsx or donnees_communes.csv (legal populations), "
        "EPCI_au_01-01-YYYY.xlsx or v_commune_YYYY.csv",
        file=path,
    )
