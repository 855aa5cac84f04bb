"""Checking canonical site rows against the commune register and the map of France."""

from __future__ import annotations

import pandas as pd

from ingestion.sites.geo import territory_of, territory_of_department

REJECT_COLUMNS = ["file", "row", "column", "value", "reason"]


def validate_sites(
    rows: pd.DataFrame, known_communes: set[str], *, file: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check canonical rows; returns (every row, with ``has_position``; notes for quarantine).

    Every row is a site of its release and is kept: it counts in the network and in
    ``dim_site``. What the checks find is noted (file, row, column, value, reason):
    - a commune code not in ``known_communes``: kept as written, ``has_position`` false;
    - coordinates outside metropolitan France and the overseas departments, or in another
      territory than the department's: set to None (the note keeps them), ``has_position`` false;
    - a department that does not match the commune code: replaced by the commune's.
    ``has_position`` is true when the row has coordinates that passed and a known (or no)
    commune code: only such sites take part in coverage.
    """
    problems: list[dict] = []
    rows = rows.copy()
    has_position = pd.Series(True, index=rows.index, dtype=bool)

    def note(row: pd.Series, column: str, value: object, reason: str) -> None:
        problems.append(
            {"file": file, "row": int(row["source_row"]), "column": column, "value": value, "reason": reason}
        )

    for index, row in rows.iterrows():
        commune, department = _text(row["commune_code"]), _text(row["department_code"])
        if commune is not None and department is not None and not _department_matches(commune, department):
            # The commune code is the better source (the geocoder's department is often a typo):
            # the row is kept with the commune's department, and the fix is noted.
            fixed = commune[:3] if commune.startswith("97") else commune[:2]
            rows.at[index, "department_code"] = fixed
            note(
                row,
                "department_code",
                department,
                f"department does not match commune {commune} (kept with department {fixed})",
            )
            row = rows.loc[index]
        if commune is not None and commune not in known_communes:
            note(row, "commune_code", commune, "unknown commune code")
            has_position[index] = False
        lat, lon = row["latitude"], row["longitude"]
        if pd.isna(lat) or pd.isna(lon):
            has_position[index] = False
            continue
        reason = _position_problem(float(lat), float(lon), _text(rows.at[index, "department_code"]))
        if reason is not None:
            note(row, "latitude", f"{lat}, {lon}", reason)
            rows.at[index, "latitude"] = None
            rows.at[index, "longitude"] = None
            has_position[index] = False
    rows["has_position"] = has_position
    return rows, pd.DataFrame(problems, columns=REJECT_COLUMNS)


def _position_problem(lat: float, lon: float, department: str | None) -> str | None:
    territory = territory_of(lat, lon)
    if territory is None:
        return "coordinates outside France (position left out)"
    if department is not None and territory != territory_of_department(department):
        return f"coordinates outside department {department} (position left out)"
    return None


def _text(value: object) -> str | None:
    return None if pd.isna(value) else str(value)


def _department_matches(commune: str, department: str) -> bool:
    if department.startswith("97"):
        return commune.startswith(department)
    if department in {"2A", "2B"}:
        return commune.startswith((department, "20"))
    return commune[:2] == department.zfill(2)
