"""Demo outreach: the stops of every demo bus and itinerant site, in the local-team template.

Each mobile site gets 6–12 stops in communes 5–30 km from its position (drawn by population),
one half-day each: a stop is served every week, or two stops share a half-day in alternate
weeks (odd/even), as real buses do. Hours are 09:00-12:00 or 13:30-16:30 on a weekday, public
holidays off. The file is the template of the README (UTF-8, ``;``), so the demo goes through
the same reader, quarantine and links as a local team's file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ingestion.outreach.shapes import TEMPLATE_FIELDS

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr")
HALF_DAYS = ("09:00-12:00", "13:30-16:30")
VENUES = ("Mairie", "Salle des fêtes", "Place du marché", "Médiathèque", "Foyer rural")
MIN_KM, MAX_KM = 5.0, 30.0
MIN_STOPS, MAX_STOPS = 6, 12
EARTH_KM = 6371.0


def _km_from(latitude: float, longitude: float, latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) from one point to many."""
    lat1, lon1 = np.radians(latitude), np.radians(longitude)
    lat2, lon2 = np.radians(latitudes), np.radians(longitudes)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def demo_outreach_rows(sites: pd.DataFrame, communes: pd.DataFrame, *, seed: int = 0) -> list[dict[str, str]]:
    """Template rows of the stops of ``sites`` (site_id, latitude, longitude, labelled_on: the
    mobile sites of the listing), placed in ``communes`` (commune_code, commune_name, latitude,
    longitude, population). A site without a position, or without a commune 5–30 km away, gets
    no stop. The same inputs and ``seed`` give the same rows."""
    rng = np.random.default_rng(seed)
    communes = communes.dropna(subset=["latitude", "longitude"]).reset_index(drop=True)
    latitudes = communes["latitude"].to_numpy(float)
    longitudes = communes["longitude"].to_numpy(float)
    weights = communes["population"].fillna(0).to_numpy(float).clip(min=1)
    rows = []
    for site in sites.sort_values("site_id", kind="stable").itertuples():
        if pd.isna(site.latitude) or pd.isna(site.longitude):
            continue
        distance = _km_from(float(site.latitude), float(site.longitude), latitudes, longitudes)
        candidates = np.flatnonzero((distance >= MIN_KM) & (distance <= MAX_KM))
        if not len(candidates):
            continue
        stops = min(int(rng.integers(MIN_STOPS, MAX_STOPS + 1)), len(candidates))
        picked = rng.choice(candidates, size=stops, replace=False, p=weights[candidates] / weights[candidates].sum())
        for slot, index, weeks in sorted(_slots(stops, rng)):
            commune = communes.iloc[picked[index]]
            day, half = WEEKDAYS[slot // 2], HALF_DAYS[slot % 2]
            rows.append(
                {
                    "site_id": str(site.site_id),
                    "place_name": f"{VENUES[int(rng.integers(len(VENUES)))]}, {commune['commune_name']}",
                    "commune_code": str(commune["commune_code"]),
                    "latitude": f"{commune['latitude']:.5f}",
                    "longitude": f"{commune['longitude']:.5f}",
                    "opening_hours": f"{day} {half}; PH off",
                    "weeks": weeks,
                    "valid_from": pd.Timestamp(site.labelled_on).date().isoformat(),
                    "valid_to": "",
                }
            )
    return rows


def _slots(stops: int, rng: np.random.Generator) -> list[tuple[int, int, str]]:
    """(half-day slot 0–9, stop index, weeks) of ``stops`` stops: some pairs share a slot in
    alternate weeks (odd, even), the others have theirs every week; ten half-days a week."""
    pairs = min(stops // 2, max(stops - 10, int(rng.integers(0, stops // 2 + 1))))
    order = [int(i) for i in rng.permutation(stops)]
    slot_ids = [int(i) for i in rng.permutation(2 * len(WEEKDAYS))]
    result, taken = [], 0
    for pair in range(pairs):
        result.append((slot_ids[pair], order[taken], "odd"))
        result.append((slot_ids[pair], order[taken + 1], "even"))
        taken += 2
    for slot in slot_ids[pairs : pairs + stops - taken]:
        result.append((slot, order[taken], "all"))
        taken += 1
    return result


def write_demo_outreach(sites: pd.DataFrame, communes: pd.DataFrame, path: Path, *, seed: int = 0) -> int:
    """Write the demo stops of ``sites`` (``demo_outreach_rows``) to ``path`` in the template;
    return the number of stops written."""
    rows = demo_outreach_rows(sites, communes, seed=seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TEMPLATE_FIELDS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
