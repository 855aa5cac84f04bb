"""French formats of the report's figures: ``1 234,5``, ``96,5 %``, ``janvier 2024``, without any
locale (the machine writing a report may have no ``fr_FR`` locale)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from orchestration.extract_readme import FRENCH_MONTHS, french_month

# The narrow no-break space groups thousands and precedes "%" (French typography); a line never
# breaks inside a number.
THOUSANDS = "\u202f"
MISSING = "—"
SHORT_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

__all__ = ["MISSING", "THOUSANDS", "french_date", "french_month", "french_number", "french_percent", "short_month"]


def french_number(value, decimals: int = 0) -> str:
    """``1 234,5`` (narrow no-break space between thousands, decimal comma); ``—`` when missing."""
    if pd.isna(value):
        return MISSING
    text = f"{float(value):,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # -0,0 reads as a loss where there is none
    return text.replace(",", THOUSANDS).replace(".", ",")


def french_percent(share, decimals: int = 1) -> str:
    """A share (0.965) as ``96,5 %``; ``—`` when missing."""
    if pd.isna(share):
        return MISSING
    return f"{french_number(float(share) * 100, decimals)}{THOUSANDS}%"


def short_month(day) -> str:
    """``janv. 2024``: the month of a chart's axis."""
    return f"{SHORT_MONTHS[day.month - 1]} {day.year}"


def french_date(day: date | None) -> str:
    """``1er décembre 2026``, ``2 décembre 2026``; ``—`` for ``None``."""
    if day is None:
        return MISSING
    return f"{'1er' if day.day == 1 else day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}"
