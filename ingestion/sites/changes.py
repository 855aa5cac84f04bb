"""What a release of the listing changed against the release before it (for the load summary)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingestion.geo import haversine_km
from ingestion.sites.identity import normalise_site_name

MOVED_KM = 0.05  # the same threshold as a new SCD2 version in int_sites_history


def release_changes(previous: pd.DataFrame | None, current: pd.DataFrame) -> dict:
    """Sites opened, closed, renamed and moved between two releases (canonical rows with ids).

    ``previous`` is None for the first release: every site counts as opened. Renamed means
    the name differs beyond case, accents and generic words; moved means the commune changed
    or the position moved more than 50 m (both positions known).
    """
    now = current.drop_duplicates("site_id").set_index("site_id")
    if previous is None:
        return {"sites": len(now), "opened": len(now), "closed": 0, "renamed": 0, "moved": 0, "examples": {}}
    before = previous.drop_duplicates("site_id").set_index("site_id")
    opened = now.index.difference(before.index)
    closed = before.index.difference(now.index)
    both = now.index.intersection(before.index)
    old, new = before.loc[both], now.loc[both]
    renamed = both[
        old["site_name"].map(normalise_site_name).to_numpy() != new["site_name"].map(normalise_site_name).to_numpy()
    ]
    positions = old[["latitude", "longitude"]].notna().all(axis=1) & new[["latitude", "longitude"]].notna().all(axis=1)
    distance = np.full(len(both), np.nan)
    if positions.any():
        mask = positions.to_numpy()
        distance[mask] = haversine_km(
            old.loc[positions, "latitude"].astype(float).to_numpy(),
            old.loc[positions, "longitude"].astype(float).to_numpy(),
            new.loc[positions, "latitude"].astype(float).to_numpy(),
            new.loc[positions, "longitude"].astype(float).to_numpy(),
        )
    other_commune = old["commune_code"].fillna("").to_numpy() != new["commune_code"].fillna("").to_numpy()
    moved = both[other_commune | (np.nan_to_num(distance, nan=0.0) > MOVED_KM)]
    return {
        "sites": len(now),
        "opened": len(opened),
        "closed": len(closed),
        "renamed": len(renamed),
        "moved": len(moved),
        "examples": {
            "opened": _names(now, opened),
            "closed": _names(before, closed),
            "renamed": [f"{before.at[i, 'site_name']} → {now.at[i, 'site_name']}" for i in renamed[:3]],
            "moved": _names(now, moved),
        },
    }


def _names(frame: pd.DataFrame, ids: pd.Index) -> list[str]:
    return [str(frame.at[i, "site_name"]) for i in ids[:3]]


def describe_changes(as_of: object, changes: dict, unknown: dict[str, dict[str, int]]) -> str:
    """One line for the load summary: ``listing 2024-08-01: 2,845 sites; 12 opened, …``."""
    line = (
        f"listing {as_of}: {changes['sites']:,} sites; {changes['opened']:,} opened, {changes['closed']:,} closed, "
        f"{changes['renamed']:,} renamed, {changes['moved']:,} moved against the previous release"
    )
    values = [
        f"{field} {value!r} ×{count:,}"
        for field, counts in sorted(unknown.items())
        for value, count in sorted(counts.items(), key=lambda i: -i[1])
    ]
    if values:
        line += "; unknown values: " + ", ".join(values[:8]) + (" …" if len(values) > 8 else "")
    return line
