"""Repair commune codes a listing got wrong, from the site's own position."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingestion.geo import haversine_km


def resolve_unknown_communes(
    rows: pd.DataFrame, communes: pd.DataFrame, *, file: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give a site whose commune code is unknown the commune whose centroid is nearest.

    ``communes`` has commune_code, department_code, latitude, longitude. Only sites with
    coordinates are repaired, within their department when it has communes; each repair is
    returned as a note (file, row, column, value, reason) so nothing changes silently.
    Sites without coordinates keep their code (and are quarantined by the validation).
    """
    known = set(communes["commune_code"])
    placed = communes.dropna(subset=["latitude", "longitude"])
    rows = rows.copy()
    notes = []
    unknown = rows["commune_code"].notna() & ~rows["commune_code"].isin(known) & rows["latitude"].notna()
    for index in rows.index[unknown]:
        row = rows.loc[index]
        candidates = placed[placed["department_code"] == row["department_code"]]
        if candidates.empty:
            candidates = placed
        distances = haversine_km(row["latitude"], row["longitude"], candidates["latitude"], candidates["longitude"])
        nearest = int(np.argmin(distances))
        code = candidates["commune_code"].iloc[nearest]
        notes.append(
            {
                "file": file,
                "row": int(row["source_row"]),
                "column": "commune_code",
                "value": row["commune_code"],
                "reason": f"unknown commune code: resolved to {code} ({distances[nearest]:.1f} km from its centroid)",
            }
        )
        rows.at[index, "commune_code"] = code
    return rows, pd.DataFrame(notes, columns=["file", "row", "column", "value", "reason"])
