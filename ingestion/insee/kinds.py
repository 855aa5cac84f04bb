"""Recognise which INSEE publication a file is, from its content."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingestion.errors import InputError
from ingestion.textfiles import decode_text

KINDS = ("populations", "epci", "cog")


def detect_insee_kind(path: Path) -> str:
    """Return ``populations``, ``epci`` or ``cog`` for a file, or raise ``InputError``."""
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
    if "TYPECOM" in text[:2000].upper():
        return "cog"
    raise InputError(
        "not a recognised INSEE file: expected ensemble.xlsx, EPCI_au_01-01-YYYY.xlsx or v_commune_YYYY.csv",
        file=path,
    )
