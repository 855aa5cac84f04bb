"""Which points lie in each priority neighbourhood: inside its polygon, else near its point."""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

from ingestion.geo import chord_for_km, unit_vectors

NEAR_POINT_KM = 0.5


def points_inside(
    wkt: list[str | None],
    qpv_lat: np.ndarray,
    qpv_lon: np.ndarray,
    point_lat: np.ndarray,
    point_lon: np.ndarray,
    near_km: float = NEAR_POINT_KM,
) -> tuple[np.ndarray, np.ndarray]:
    """(qpv index, point index) pairs: the point is inside the QPV's polygon when it has one,
    else within ``near_km`` of the QPV's point. Points without coordinates match nothing."""
    point_lat = np.asarray(point_lat, dtype=float)
    point_lon = np.asarray(point_lon, dtype=float)
    located = np.flatnonzero(~(np.isnan(point_lat) | np.isnan(point_lon)))
    pairs_q: list[np.ndarray] = []
    pairs_p: list[np.ndarray] = []
    shapes = np.array([shapely.from_wkt(text) if text else None for text in wkt], dtype=object)
    with_polygon = np.flatnonzero([shape is not None for shape in shapes])
    if len(located) and len(with_polygon):
        points = shapely.points(point_lon[located], point_lat[located])
        tree = shapely.STRtree(points)
        polygon_index, point_index = tree.query(shapes[with_polygon], predicate="contains")
        pairs_q.append(with_polygon[polygon_index])
        pairs_p.append(located[point_index])
    qpv_lat = np.asarray(qpv_lat, dtype=float)
    qpv_lon = np.asarray(qpv_lon, dtype=float)
    by_point = np.array(
        [i for i in range(len(shapes)) if shapes[i] is None and not np.isnan(qpv_lat[i]) and not np.isnan(qpv_lon[i])],
        dtype=int,
    )
    if len(located) and len(by_point):
        tree = cKDTree(unit_vectors(point_lat[located], point_lon[located]))
        near = tree.query_ball_point(unit_vectors(qpv_lat[by_point], qpv_lon[by_point]), r=chord_for_km(near_km))
        for row, found in zip(by_point, near, strict=True):
            if found:
                pairs_q.append(np.full(len(found), row))
                pairs_p.append(located[np.asarray(found, dtype=int)])
    if not pairs_q:
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    return np.concatenate(pairs_q).astype(int), np.concatenate(pairs_p).astype(int)
