"""Territory outlines drawn from commune points alone, with no boundary file.

Each commune owns the area nearer to its point than to any other commune's (its Voronoi cell);
a border between two departments is then the chain of cell edges separating communes of the
two. Edges far from both communes (out at sea, across an empty frame) are left out, so the
coast is shown by the points themselves and no border runs into the ocean.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import QhullError, Voronoi, cKDTree

KM_PER_DEGREE_LATITUDE = 110.57
KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.32
REACH_SPACINGS = 4.0  # an edge is kept within this many typical commune spacings of its communes
REACH_KM = (6.0, 30.0)  # bounds of that reach


def km_per_degree_longitude(latitude: float) -> float:
    """Kilometres in one degree of longitude at ``latitude`` (spherical Earth, within 0.5 %)."""
    return KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(math.radians(latitude))


def borders_between(longitude: np.ndarray, latitude: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The border segments between points of different ``groups`` (e.g. department codes).

    Returns ``(segments, pairs)``: ``segments`` of shape (n, 2, 2) as (longitude, latitude)
    end points, and ``pairs`` of shape (n, 2), the indices of the two points each segment
    separates (to tell an outer border from an inner one). Fewer than 4 distinct points: none.
    """
    longitude, latitude = np.asarray(longitude, dtype=float), np.asarray(latitude, dtype=float)
    groups = np.asarray(groups, dtype=object)
    empty = np.empty((0, 2, 2)), np.empty((0, 2), dtype=int)
    if len(longitude) < 4:
        return empty
    middle = float(np.mean(latitude))
    points = np.column_stack([longitude * km_per_degree_longitude(middle), latitude * KM_PER_DEGREE_LATITUDE])
    points, first_index = np.unique(points, axis=0, return_index=True)
    if len(points) < 4:
        return empty
    groups = groups[first_index]
    try:
        diagram = Voronoi(points)
    except QhullError:  # all points on a line
        return empty
    spacing = float(np.median(cKDTree(points).query(points, k=2)[0][:, 1]))
    reach = min(max(REACH_SPACINGS * spacing, REACH_KM[0]), REACH_KM[1])
    ridge_points = diagram.ridge_points
    ridge_vertices = np.asarray(diagram.ridge_vertices, dtype=int)
    keep = (groups[ridge_points[:, 0]] != groups[ridge_points[:, 1]]) & (ridge_vertices >= 0).all(axis=1)
    ridge_points, ridge_vertices = ridge_points[keep], ridge_vertices[keep]
    ends = diagram.vertices[ridge_vertices]  # (n, 2 ends, xy)
    # Every point of a ridge is equidistant from the two communes it separates.
    distance = np.linalg.norm(ends - points[ridge_points[:, 0]][:, None, :], axis=2)
    near = (distance <= reach).all(axis=1)
    ends, ridge_points = ends[near], ridge_points[near]
    segments = np.stack(
        [ends[..., 0] / km_per_degree_longitude(middle), ends[..., 1] / KM_PER_DEGREE_LATITUDE], axis=-1
    )
    return segments, first_index[ridge_points]
