"""Normalising single values of a France Services listing: codes, ids, dates, categories."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

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


YES_NO = {"oui": True, "o": True, "non": False, "n": False}


def yes_no(value: object) -> bool | None:
    """``Oui``/``Non`` (any case) as a bool, None otherwise."""
    return YES_NO.get(normalise_label(clean(value) or ""))


# Vocabularies, keyed by normalise_label() of the cell. Anything else is reported as unknown.
SITE_TYPES = {
    "principal": "main",  # 2024 type_fs
    "site principal": "main",  # 2022 format_fs
    "espace labellise": "main",  # 2020 FORMAT_FS, Banque des Territoires FORMAT FRANCE SERVICES
    "espace labelise": "main",
    "antenne": "antenna",
}
# 2020 categorie: (site type, travels?)
CATEGORIES = {
    "fs": ("main", False),
    "fs itinerante": ("main", True),
    "antenne": ("antenna", False),
    "antenne itinerante": ("antenna", True),
}
SITE_FORMATS = {  # 2024 format_fs
    "fixe": "fixed",
    "fixe antenne s": "fixed",
    "multisites": "multisite",
    "multisite": "multisite",
    "bus equivalent": "bus",
    "bus": "bus",
    "itinerante": "itinerant",
    "itinerant": "itinerant",
}
MOBILE_FORMATS = frozenset({"bus", "itinerant"})


@dataclass(frozen=True)
class Unknown:
    """A non-empty cell outside its vocabulary: the canonical ``field`` it should have fed,
    the ``source`` column (internal name, as in ``columns.SYNONYMS``) and its ``raw`` text."""

    field: str
    source: str
    raw: str

    @property
    def reason(self) -> str:
        """The reject reason, e.g. ``unknown site_type value 'Principale'``."""
        return f"unknown {self.field} value '{self.raw}'"  # quoted as is, even holding a quote


@dataclass(frozen=True)
class SiteKind:
    """Type, format and outreach of one site, with the raw text that fed each and what was unknown."""

    site_type: str | None
    site_format: str | None
    does_outreach: bool | None
    site_type_raw: str | None
    site_format_raw: str | None
    outreach_raw: str | None
    unknown: tuple[Unknown, ...] = ()


def lookup(value: object, mapping: dict, field: str, source: str) -> tuple[str | None, object, Unknown | None]:
    """(raw text, mapped value, Unknown or None) of one categorical cell; empty gives (None, None, None)."""
    raw = clean(value)
    if raw is None:
        return None, None, None
    mapped = mapping.get(normalise_label(raw))
    return raw, mapped, (Unknown(field, source, raw) if mapped is None else None)


def carries_type(cells: list[object]) -> bool:
    """Whether a ``format_fs`` column holds site types (2020, 2022) rather than 2024 formats."""
    labels = [normalise_label(clean(cell) or "") for cell in cells]
    return sum(label in SITE_TYPES for label in labels) >= sum(label in SITE_FORMATS for label in labels)


def site_kind(cells: dict[str, object], type_source: str | None, format_source: str | None) -> SiteKind:
    """Type, format and outreach from the categorical cells of one row.

    ``cells`` maps the internal column names present in the file (``site_type``,
    ``category``, ``format``, ``itinerance``) to the row's cells; ``type_source`` names the
    column holding the site type (``site_type``, ``category`` or ``format``), ``format_source``
    the one holding a 2024 format (``format``) or None. A file with neither lists main sites
    only (the first releases). Unknown values give None and an ``Unknown``; empty cells do not.
    """
    unknown: list[Unknown] = []
    kind, kind_raw, category_mobile = _site_type(cells, type_source, format_source, unknown)
    itinerance_raw, itinerant = _read(cells, "itinerance", YES_NO, "does_outreach", unknown)
    format_raw, form = (None, None)
    if format_source is not None:
        format_raw, form = _read(cells, format_source, SITE_FORMATS, "site_format", unknown)
    if format_raw is None:
        form, format_raw = _format_without_2024_column(
            itinerance_raw, itinerant, kind_raw if category_mobile is not None else None, category_mobile
        )
    if itinerant or form in MOBILE_FORMATS:
        outreach = True
    elif form is None or (itinerance_raw is not None and itinerant is None):
        outreach = None
    else:
        outreach = False
    outreach_raw = (
        itinerance_raw or (format_raw if format_source else None) or (kind_raw if type_source == "category" else None)
    )
    return SiteKind(kind, form, outreach, kind_raw, format_raw, outreach_raw, tuple(unknown))


def _read(
    cells: dict[str, object], source: str, mapping: dict, field: str, unknown: list[Unknown]
) -> tuple[str | None, object]:
    raw, mapped, problem = lookup(cells.get(source), mapping, field, source)
    if problem is not None:
        unknown.append(problem)
    return raw, mapped


def _site_type(
    cells: dict[str, object], type_source: str | None, format_source: str | None, unknown: list[Unknown]
) -> tuple[str | None, str | None, bool | None]:
    """(site type, its raw text, whether the 2020 category says the site travels)."""
    if type_source is None:
        # The releases before antennas existed have no type column: they list main sites only.
        return ("main" if format_source is None else None), None, None
    if type_source != "category":
        raw, kind = _read(cells, type_source, SITE_TYPES, "site_type", unknown)
        return kind, raw, None
    raw, mapped = _read(cells, type_source, CATEGORIES, "site_type", unknown)
    return (None, raw, None) if mapped is None else (mapped[0], raw, mapped[1])


def _format_without_2024_column(
    itinerance_raw: str | None, itinerant: bool | None, category_raw: str | None, category_mobile: bool | None
) -> tuple[str | None, str | None]:
    """(format, raw text that decided it) from 2020 categorie and ITINERANCE.

    Travelling if either says so; an empty ITINERANCE beside no category means fixed (the 2020
    releases leave it empty for fixed sites); an unknown ITINERANCE beside no category leaves
    the format unknown.
    """
    if category_mobile is not None and (category_mobile or not itinerant):
        return ("itinerant" if category_mobile else "fixed"), category_raw
    if itinerant:
        return "itinerant", itinerance_raw
    if itinerance_raw is not None and itinerant is None:
        return None, itinerance_raw
    return "fixed", itinerance_raw
