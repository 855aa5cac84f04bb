"""QPV shapes: a GeoJSON geometry as WKT and the point that stands for it (shapely)."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import shape

WKT_DECIMALS = 6  # about 0.1 m: more than the published outlines' precision


@dataclass(frozen=True)
class QpvShape:
    """``wkt`` of a polygon (None for a point), the point (lon/lat) and, for a repaired
    polygon, what was wrong with it (``repaired``)."""

    wkt: str | None
    longitude: float
    latitude: float
    repaired: str | None = None


class GeometryProblem(ValueError):
    """A geometry that is not a readable point or polygon."""


def read_geometry(geometry: object) -> QpvShape | None:
    """A GeoJSON Point, Polygon or MultiPolygon as a ``QpvShape``; None for no geometry.

    A polygon's point is its representative point (always inside it, unlike a centroid of a
    crescent). An invalid polygon (self-intersecting ring) is repaired with ``make_valid`` and
    ``repaired`` says what GEOS found. Raises ``GeometryProblem`` for anything else.
    """
    if geometry is None:
        return None
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        raise GeometryProblem(f"unreadable geometry ({type(exc).__name__})") from None
    if geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return QpvShape(None, float(geom.x), float(geom.y))
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryProblem(f"a {geom.geom_type} where a point or polygon was expected")
    repaired = None
    if not geom.is_valid:
        repaired = shapely.is_valid_reason(geom)
        # `structure` keeps the polygons only: the default method would add the lines left
        # where a ring touches itself (a GeometryCollection).
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    point = geom.representative_point()
    wkt = shapely.to_wkt(geom, rounding_precision=WKT_DECIMALS, trim=True)
    return QpvShape(wkt, round(float(point.x), WKT_DECIMALS), round(float(point.y), WKT_DECIMALS), repaired)
