"""Reader for INSEE's COG commune list (`v_commune_YYYY.csv`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.textfiles import find_header_row, match_columns, read_csv_rows

COLUMNS = {
    "type": ["TYPECOM"],
    "code": ["COM"],
    "region_code": ["REG"],
    "department_code": ["DEP"],
    "name": ["LIBELLE"],
    "parent_code": ["COMPARENT"],
}
REQUIRED = ["type", "code", "department_code", "name"]
_YEAR_IN_NAME = re.compile(r"(20\d{2})")


@dataclass(frozen=True)
class CogCommunes:
    """Communes and arrondissements (``communes``) and the aliases of COMA/COMD codes."""

    communes: pd.DataFrame
    aliases: pd.DataFrame
    geography_year: int | None


def read_cog_communes(path: Path) -> CogCommunes:
    """Read a COG commune file: keep COM and ARM; COMA/COMD become aliases of their parent.

    The file has no title rows; its vintage is the year in its published name
    (``v_commune_2025.csv``), when there is one.
    """
    path = Path(path)
    rows = read_csv_rows(path)
    header_index = find_header_row(rows, COLUMNS, REQUIRED, file=path, scan=5)
    pos = match_columns(rows[header_index], COLUMNS)
    communes, aliases = [], []
    for number, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
        get = lambda f: cells[pos[f]].strip() if f in pos and pos[f] < len(cells) else ""  # noqa: E731
        kind = get("type")
        if kind in ("COM", "ARM"):
            communes.append(
                {
                    "commune_code": get("code"),
                    "commune_name": get("name"),
                    "commune_type": kind,
                    "department_code": get("department_code") or None,
                    "region_code": get("region_code") or None,
                    "parent_commune_code": get("parent_code") or None,
                }
            )
        elif kind in ("COMA", "COMD"):
            if not get("parent_code"):
                raise InputError(f"{kind} without COMPARENT", file=path, row=number, column="COMPARENT")
            aliases.append({"alias_code": get("code"), "commune_code": get("parent_code"), "alias_type": kind})
        elif kind:
            raise InputError(f"unknown TYPECOM {kind!r}", file=path, row=number, column="TYPECOM")
    if not communes:
        raise InputError("no COM or ARM rows", file=path)
    match = _YEAR_IN_NAME.search(path.name)
    return CogCommunes(
        pd.DataFrame.from_records(communes),
        pd.DataFrame.from_records(aliases, columns=["alias_code", "commune_code", "alias_type"]),
        int(match.group(1)) if match else None,
    )
