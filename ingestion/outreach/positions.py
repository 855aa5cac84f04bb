"""Checking each place's point against its commune's own point (the INSEE reference centroid)."""

from __future__ import annotations

import math

import pandas as pd

from ingestion.geo import haversine_km

MAX_KM_FROM_COMMUNE = 20.0
"""A point farther than this from its commune's point is a geocoder's mistake (another commune
of the same name): the commune's point replaces it."""


def place_on_commune_points(
    places: pd.DataFrame, communes: pd.DataFrame, *, file: str, columns: dict[str, str]
) -> tuple[pd.DataFrame, list[dict]]:
    """Set ``latitude``/``longitude`` of each place from its ``given_latitude``/``given_longitude``,
    or from its commune's point when the given one is missing or more than 20 km away.

    ``communes`` has commune_code, latitude, longitude (raw.insee_communes). Every replacement
    is a quarantine note (file, row, column, value, reason; the text of coordinates that could
    not be read comes from ``unreadable_position``) and the place still loads, with
    ``position_replaced`` true and ``km_from_commune`` the given point's distance. A commune
    without a point of its own leaves the given point unchecked (noted too).
    """
    points = communes.dropna(subset=["latitude", "longitude"]).set_index("commune_code")
    places = places.copy()
    notes: list[dict] = []
    latitudes, longitudes, replaced, distances = [], [], [], []
    for _, place in places.iterrows():
        lat, lon = place["given_latitude"], place["given_longitude"]
        code = place["commune_code"]
        given = lat is not None and lon is not None and not (pd.isna(lat) or pd.isna(lon))
        column = columns["latitude"]

        def note(value: object, reason: str) -> None:
            notes.append(
                {"file": file, "row": int(place["source_row"]), "column": column, "value": value, "reason": reason}
            )

        if code not in points.index:
            if given:
                note(f"{lat}, {lon}", f"commune {code} has no point of its own: the given point is kept unchecked")
            else:
                note(None, f"no coordinates and commune {code} has no point of its own: place without a position")
            latitudes.append(lat if given else None)
            longitudes.append(lon if given else None)
            replaced.append(False)
            distances.append(None)
            continue
        commune_lat, commune_lon = float(points.at[code, "latitude"]), float(points.at[code, "longitude"])
        if not given:
            written = place.get("unreadable_position")
            if written is not None and not pd.isna(written):
                note(written, f"unreadable coordinates: the point of commune {code} is used")
            else:
                note(None, f"no coordinates: the point of commune {code} is used")
            latitudes.append(commune_lat)
            longitudes.append(commune_lon)
            replaced.append(True)
            distances.append(None)
            continue
        km = float(haversine_km(lat, lon, commune_lat, commune_lon))
        distances.append(round(km, 3))
        if km > MAX_KM_FROM_COMMUNE or not math.isfinite(km):
            note(
                f"{lat}, {lon}",
                f"coordinates {km:,.0f} km from the point of commune {code} (more than "
                f"{MAX_KM_FROM_COMMUNE:.0f} km): replaced by the commune's point",
            )
            latitudes.append(commune_lat)
            longitudes.append(commune_lon)
            replaced.append(True)
        else:
            latitudes.append(float(lat))
            longitudes.append(float(lon))
            replaced.append(False)
    places["latitude"] = pd.Series(latitudes, index=places.index, dtype="Float64")
    places["longitude"] = pd.Series(longitudes, index=places.index, dtype="Float64")
    places["position_replaced"] = pd.Series(replaced, index=places.index, dtype=bool)
    places["km_from_commune"] = pd.Series(distances, index=places.index, dtype="Float64")
    return places, notes
