"""Greedy maximal coverage: the first pick beats every other single commune (brute force)."""

import itertools

import numpy as np
import pytest

from ingestion.errors import InputError
from ingestion.geo import haversine_km, nearest
from orchestration.plan import greedy_max_coverage, parse_plan_scope


def _region(seed=3, n=300):
    rng = np.random.default_rng(seed)
    lat = 43.0 + rng.random(n) * 1.5
    lon = 1.0 + rng.random(n) * 2.0
    population = rng.integers(50, 20_000, n)
    return lat, lon, population


def _gain(candidate, lat, lon, population, covered, radius):
    d = haversine_km(lat[candidate], lon[candidate], lat, lon)
    return int(population[(d <= radius) & ~covered].sum()), (d <= radius)


def test_first_pick_beats_every_other_commune_and_greedy_matches_brute_force():
    lat, lon, population = _region()
    radius = 30 / 60 * 60 / 1.3
    picks = greedy_max_coverage(lat, lon, lat, lon, population, radius, 5)
    covered = np.zeros(len(lat), dtype=bool)
    for pick in picks:
        gains = [_gain(c, lat, lon, population, covered, radius)[0] for c in range(len(lat))]
        assert pick.gain == max(gains)
        assert gains[pick.candidate] == pick.gain
        covered |= _gain(pick.candidate, lat, lon, population, covered, radius)[1]
    assert [p.gain for p in picks] == sorted((p.gain for p in picks), reverse=True)


def test_greedy_two_picks_close_to_the_best_pair():
    lat, lon, population = _region(seed=5, n=60)
    radius = 20.0
    picks = greedy_max_coverage(lat, lon, lat, lon, population, radius, 2)
    within = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) <= radius
    best = max(int(population[within[a] | within[b]].sum()) for a, b in itertools.combinations(range(60), 2))
    assert sum(p.gain for p in picks) >= (1 - 1 / np.e) * best


def test_nearest_matches_brute_force_haversine():
    rng = np.random.default_rng(1)
    points = (42 + rng.random(2000) * 9, -4 + rng.random(2000) * 12)
    sites = (42 + rng.random(300) * 9, -4 + rng.random(300) * 12)
    index, km = nearest(*points, *sites)
    brute = haversine_km(points[0][:, None], points[1][:, None], sites[0][None, :], sites[1][None, :])
    assert np.allclose(km, brute.min(axis=1), rtol=1e-9)
    assert (index == brute.argmin(axis=1)).mean() > 0.999


def test_scopes_are_validated():
    assert parse_plan_scope("region:76") == ("region", "76")
    assert parse_plan_scope("department:2A") == ("department", "2A")
    for bad in ("region:../../x", "department:1; drop", "county:1", ""):
        with pytest.raises(InputError, match="invalid scope"):
            parse_plan_scope(bad)
