"""Checking canonical site rows against the commune register and the map of France."""

from __future__ import annotations

import pandas as pd

from ingestion.sites.geo import territory_of, territory_of_department

REJECT_COLUMNS = ["file", "row", "column", "value", "reason"]


def validate_sites(
    rows: pd.DataFrame, known_communes: set[str], *, file: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split canonical rows into (good rows, rejects).

    A row is rejected for a commune code not in ``known_communes`` or coordinates outside
    metropolitan France and the overseas departments (or in another territory than its
    department's). A department that does not match the commune code is replaced by the
    commune's, with a note in the rejects (the row is kept). Rows with missing coordinates
    or a missing commune code are kept: real sites are listed so.
    """
    problems: list[dict] = []
    bad: set[int] = set()
    rows = rows.copy()
    for index, row in rows.iterrows():
        commune, department = _text(row["commune_code"]), _text(row["department_code"])
        if commune is not None and department is not None and not _department_matches(commune, department):
            # The commune code is the better source (the geocoder's department is often a typo):
            # the row is kept with the commune's department, and the fix is noted.
            fixed = commune[:3] if commune.startswith("97") else commune[:2]
            rows.at[index, "department_code"] = fixed
            row = rows.loc[index]
            problems.append({
                "file": file, "row": int(row["source_row"]), "column": "department_code", "value": department,
                "reason": f"department does not match commune {commune} (kept with department {fixed})",
            })
        for column, value, reason in _row_problems(row, known_communes):
            problems.append(
                {"file": file, "row": int(row["source_row"]), "column": column, "value": value, "reason": reason}
            )
            bad.add(index)
    good = rows.loc[~rows.index.isin(bad)]
    return good, pd.DataFrame(problems, columns=REJECT_COLUMNS)


def _row_problems(row: pd.Series, known_communes: set[str]) -> list[tuple[str, object, str]]:
    found = []
    commune, department = _text(row["commune_code"]), _text(row["department_code"])
    if commune is not None and commune not in known_communes:
        found.append(("commune_code", commune, "unknown commune code"))
    lat, lon = row["latitude"], row["longitude"]
    if not (pd.isna(lat) or pd.isna(lon)):
        territory = territory_of(float(lat), float(lon))
        value = f"{lat}, {lon}"
        if territory is None:
            found.append(("latitude", value, "coordinates outside France"))
        elif department is not None and territory != territory_of_department(department):
            found.append(("latitude", value, f"coordinates outside department {department}"))
    return found


def _text(value: object) -> str | None:
    return None if pd.isna(value) else str(value)


def _department_matches(commune: str, department: str) -> bool:
    if department.startswith("97"):
        return commune.startswith(department)
    if department in {"2A", "2B"}:
        return commune.startswith((department, "20"))
    return commune[:2] == department.zfill(2)
