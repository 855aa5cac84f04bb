"""Normalising single values of a France Services listing: codes, ids, dates, categories."""

from __future__ import annotations

import datetime as dt
import re

from ingestion.textfiles import normalise_label

_MISSING = {"", "na", "nan", "null", "none"}


def clean(value: object) -> str | None:
    """Stripped text of a cell, or None for empty, ``NA`` and JSON null."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return None if text.lower() in _MISSING else text


def site_id(value: object) -> str | None:
    """Site key as text: ``2.0`` and ``2`` both give ``'2'``."""
    text = clean(value)
    if text is not None and re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


def commune_code(value: object) -> str | None:
    """Five-character INSEE commune code: ``1033`` -> ``01033``; ``2A004`` kept."""
    text = site_id(value)
    if text is None:
        return None
    text = text.upper()
    if text.isdigit():
        return text.zfill(5)
    if len(text) < 5 and text[:2] in ("2A", "2B") and text[2:].isdigit():
        return text[:2] + text[2:].zfill(3)  # "2B14" → "2B014": the leading zeros were lost
    return text


def postcode(value: object) -> str | None:
    """Five-digit postcode (``1200`` -> ``01200``)."""
    text = site_id(value)
    return text.zfill(5) if text is not None and text.isdigit() else text


def department_code(value: object, commune: str | None) -> str | None:
    """Department code ``01``/``2A``/``971``; derived from the commune code when absent."""
    text = site_id(value)
    if text is not None:
        text = text.upper()
        return text.zfill(2) if text.isdigit() and len(text) < 2 else text
    if commune is None:
        return None
    return commune[:3] if commune.startswith("97") else commune[:2]


def labelling_date(value: object) -> dt.date | None:
    """``Espace labellisé 01/2020`` -> 2020-01-01, ``… 01/09/2020`` -> 2020-09-01.

    Returns None for empty text; raises ``ValueError`` for text holding no date.
    """
    text = clean(value)
    if text is None:
        return None
    if match := re.search(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", text):
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    if match := re.search(r"\b(\d{1,2})/(\d{4})\b", text):
        month, year = (int(g) for g in match.groups())
        return dt.date(year, month, 1)
    if match := re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text):
        return dt.date(*(int(g) for g in match.groups()))
    raise ValueError(f"no date in {text!r}")


def yes_no(value: object) -> bool | None:
    """``Oui``/``Non`` (any case) as a bool, None otherwise."""
    label = normalise_label(clean(value) or "")
    return {"oui": True, "o": True, "non": False, "n": False}.get(label)


_FORMATS = {
    "fixe": "fixed",
    "fixe antenne s": "fixed",
    "multisites": "multisite",
    "multisite": "multisite",
    "bus equivalent": "bus",
    "bus": "bus",
    "itinerante": "itinerant",
    "itinerant": "itinerant",
}


_FORMATS_2020 = {"espace labellise": "main", "espace labelise": "main", "antenne": "antenna"}


def type_and_format(
    site_type: object, fmt: object, category: object, itinerance: object
) -> tuple[str | None, str | None]:
    """(``main``|``antenna``, ``fixed``|``multisite``|``bus``|``itinerant``) from whichever
    of 2024 ``type_fs``/``format_fs``, 2020 ``categorie``, ``FORMAT_FS`` and ``ITINERANCE``
    the row has; None for a value it does not recognise."""
    type_label, format_label = normalise_label(clean(site_type)), normalise_label(clean(fmt))
    category_label = normalise_label(clean(category))
    kind = {"principal": "main", "antenne": "antenna"}.get(type_label)
    form = _FORMATS.get(format_label)
    if category_label:
        if kind is None and category_label.startswith(("antenne", "fs")):
            kind = "antenna" if category_label.startswith("antenne") else "main"
        form = form or ("itinerant" if "itinerant" in category_label else "fixed")
    kind = kind or _FORMATS_2020.get(format_label)
    if kind is None and not type_label and not category_label and not format_label:
        kind = "main"  # the first release lists only main sites and has no type column
    if form is None and (not format_label or format_label in _FORMATS_2020):
        form = "itinerant" if yes_no(itinerance) else "fixed"
    return kind, form
