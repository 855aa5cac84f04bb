"""Where France is: bounding boxes of metropolitan France and the overseas departments."""

from __future__ import annotations

import numpy as np

# (lat_min, lat_max, lon_min, lon_max), generous by a few km around the coasts.
FRANCE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "metropole": (41.2, 51.2, -5.3, 9.7),
    "971": (15.8, 16.6, -61.9, -60.9),
    "972": (14.3, 14.95, -61.3, -60.75),
    "973": (2.0, 6.0, -54.7, -51.5),
    "974": (-21.45, -20.8, 55.15, 55.9),
    "975": (46.7, 47.2, -56.5, -56.1),
    "976": (-13.1, -12.55, 44.9, 45.35),
    "977": (17.85, 17.99, -62.97, -62.78),
    "978": (18.0, 18.15, -63.2, -62.95),
}
EARTH_RADIUS_KM = 6371.0088


def inside_france(latitude, longitude) -> np.ndarray:
    """True where a point lies in metropolitan France or an overseas department (nulls: False)."""
    lat = np.asarray(latitude, dtype=float)
    lon = np.asarray(longitude, dtype=float)
    inside = np.zeros(lat.shape, dtype=bool)
    for lat_min, lat_max, lon_min, lon_max in FRANCE_BOXES.values():
        inside |= (lat >= lat_min) & (lat <= lat_max) & (lon >= lon_min) & (lon <= lon_max)
    return inside


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (mean Earth radius), vectorised, broadcasting."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype=float)) for x in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(latitude, longitude) -> np.ndarray:
    """Points on the unit sphere (n × 3): Euclidean order there is great-circle order."""
    lat = np.radians(np.asarray(latitude, dtype=float))
    lon = np.radians(np.asarray(longitude, dtype=float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def chord_for_km(km: float) -> float:
    """The straight-line (chord) length on the unit sphere of a great-circle distance in km."""
    return 2 * np.sin(km / (2 * EARTH_RADIUS_KM))


def nearest(points_lat, points_lon, targets_lat, targets_lon) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the index of the nearest target and the great-circle distance in km.

    A KD-tree on unit vectors: O((n + m) log m), never the n × m matrix. With no target,
    indexes are -1 and distances NaN.
    """
    from scipy.spatial import cKDTree

    n = len(points_lat)
    if len(targets_lat) == 0 or n == 0:
        return np.full(n, -1), np.full(n, np.nan)
    tree = cKDTree(unit_vectors(targets_lat, targets_lon))
    _, index = tree.query(unit_vectors(points_lat, points_lon), k=1)
    km = haversine_km(points_lat, points_lon, np.asarray(targets_lat)[index], np.asarray(targets_lon)[index])
    return index, km
