"""Find the vintage an INSEE publication states in its title rows."""

from __future__ import annotations

import re
from collections.abc import Iterable

_IN_FORCE = re.compile(r"en vigueur au 1er janvier (\d{4})", re.IGNORECASE)
_CENSUS = re.compile(r"recensement de la population (\d{4})", re.IGNORECASE)
_GEOGRAPHY = re.compile(r"g[ée]ographie au \d{2}/\d{2}/(\d{4})", re.IGNORECASE)


def _first(pattern: re.Pattern[str], cells: Iterable[object]) -> int | None:
    for cell in cells:
        match = pattern.search(str(cell or ""))
        if match:
            return int(match.group(1))
    return None


def find_vintage(title_cells: Iterable[object]) -> dict[str, int | None]:
    """Return ``in_force_year``, ``census_year`` and ``geography_year`` found in title cells."""
    cells = list(title_cells)
    return {
        "in_force_year": _first(_IN_FORCE, cells),
        "census_year": _first(_CENSUS, cells),
        "geography_year": _first(_GEOGRAPHY, cells),
    }
