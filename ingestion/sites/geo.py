"""Where France is: bounding boxes per territory, and distances between sites."""

from __future__ import annotations

import math

# (lat_min, lat_max, lon_min, lon_max), a little wider than the coastline.
BOUNDING_BOXES: dict[str, tuple[float, float, float, float]] = {
    "metro": (41.2, 51.2, -5.3, 9.7),  # includes Corsica
    "971": (15.8, 16.6, -61.9, -60.9),  # Guadeloupe
    "972": (14.3, 14.95, -61.3, -60.75),  # Martinique
    "973": (2.0, 5.9, -54.7, -51.5),  # Guyane
    "974": (-21.45, -20.8, 55.15, 55.9),  # La Réunion
    "975": (46.7, 47.2, -56.5, -56.1),  # Saint-Pierre-et-Miquelon
    "976": (-13.1, -12.55, 44.95, 45.35),  # Mayotte
    "977": (17.85, 17.98, -62.96, -62.77),  # Saint-Barthélemy
    "978": (18.0, 18.14, -63.17, -62.95),  # Saint-Martin
}


def territory_of(latitude: float, longitude: float) -> str | None:
    """Key of the bounding box holding the point (``metro``, ``971``…), None outside France."""
    for key, (lat_min, lat_max, lon_min, lon_max) in BOUNDING_BOXES.items():
        if lat_min <= latitude <= lat_max and lon_min <= longitude <= lon_max:
            return key
    return None


def territory_of_department(department: str) -> str:
    """Bounding-box key expected for a department code (``971`` or ``metro``)."""
    return department if department in BOUNDING_BOXES else "metro"


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))
