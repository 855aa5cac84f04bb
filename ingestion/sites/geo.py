"""Which territory a site's position lies in, and distances between sites (ingestion.geo's boxes)."""

from __future__ import annotations

from ingestion.geo import FRANCE_BOXES, haversine_km


def territory_of(latitude: float, longitude: float) -> str | None:
    """Key of the bounding box holding the point (``metropole``, ``971``…), None outside France."""
    for key, (lat_min, lat_max, lon_min, lon_max) in FRANCE_BOXES.items():
        if lat_min <= latitude <= lat_max and lon_min <= longitude <= lon_max:
            return key
    return None


def territory_of_department(department: str) -> str:
    """Bounding-box key expected for a department code (``971`` or ``metropole``)."""
    return department if department in FRANCE_BOXES else "metropole"


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    return float(haversine_km(lat1, lon1, lat2, lon2)) * 1000.0
