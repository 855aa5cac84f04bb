"""`fsw plan`: where the next sites should go, by greedy maximal coverage.

Each pick is the commune whose new site would bring the most population newly within
30 minutes (the travel model of the settings), given the sites open at the latest month and
the previous picks. Greedy maximal coverage is within 1 − 1/e of the optimum and runs in
seconds nationally: candidate neighbourhoods come from a KD-tree, gains are updated lazily.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from ingestion.errors import InputError
from ingestion.geo import chord_for_km, unit_vectors
from ingestion.store import connect, replace_table
from orchestration.config import Settings
from orchestration.spark_build import model_built, model_relation

_SCOPE = re.compile(r"^(national|region:(\d{2})|department:(\d{2}|2[AB]|97\d))$")


@dataclass(frozen=True)
class Pick:
    """One proposed site: the candidate's index and the population it newly covers."""

    candidate: int
    gain: int


def greedy_max_coverage(
    candidates_lat, candidates_lon, demand_lat, demand_lon, demand_population, radius_km: float, n: int
) -> list[Pick]:
    """Pick ``n`` candidates, each covering the most not-yet-covered demand within ``radius_km``.

    Lazy greedy: a candidate's gain can only shrink, so a stale heap top is recomputed and
    pushed back until the top is fresh.
    """
    from scipy.spatial import cKDTree

    population = np.asarray(demand_population, dtype=np.int64)
    if len(population) == 0 or len(candidates_lat) == 0:
        return []
    tree = cKDTree(unit_vectors(demand_lat, demand_lon))
    neighbours = tree.query_ball_point(unit_vectors(candidates_lat, candidates_lon), r=chord_for_km(radius_km))
    covered = np.zeros(len(population), dtype=bool)
    heap = [(-int(population[list(ns)].sum()), i) for i, ns in enumerate(neighbours)]
    heapq.heapify(heap)
    picks: list[Pick] = []
    while heap and len(picks) < n:
        negative_gain, i = heapq.heappop(heap)
        members = np.asarray(neighbours[i], dtype=np.int64)
        gain = int(population[members[~covered[members]]].sum()) if len(members) else 0
        if gain != -negative_gain:
            heapq.heappush(heap, (-gain, i))
            continue
        if gain <= 0:
            break
        covered[members] = True
        picks.append(Pick(i, gain))
    return picks


def parse_plan_scope(scope: str) -> tuple[str, str | None]:
    """``national``, ``region:<code>`` or ``department:<code>`` → (level, code); else InputError."""
    match = _SCOPE.match(scope or "")
    if not match:
        raise InputError(f"invalid scope {scope!r}: expected national, region:<2 digits> or department:<code>")
    if scope == "national":
        return "national", None
    level, code = scope.split(":")
    return level, code


def plan_sites(settings: Settings, n: int, scope: str = "national") -> pd.DataFrame:
    """Compute ``n`` proposals in ``scope`` from the work DB and write ``raw.site_proposals``."""
    if n < 1:
        raise InputError("--sites must be at least 1")
    level, code = parse_plan_scope(scope)
    column = {"region": "region_code", "department": "department_code"}.get(level)
    where = f"and c.{column} = ?" if column else ""
    with connect(settings.work_db) as con:
        if not model_built(settings, con, "fct_coverage"):
            raise InputError("no coverage built yet: run `fsw run` first")
        coverage, communes = model_relation(settings, "fct_coverage"), model_relation(settings, "dim_commune")
        month = con.execute(f"select max(month_end) from {coverage}").fetchone()[0]
        communes = con.execute(
            f"""select c.commune_code, c.commune_name, c.department_code, coalesce(c.population, 0) as population,
                       c.latitude, c.longitude, coalesce(f.within_30_min, false) as covered
                from {communes} c left join {coverage} f
                  on f.commune_code = c.commune_code and f.month_end = ?
                where c.latitude is not null {where}""",
            [month, *([code] if column else [])],
        ).df()
    if communes.empty:
        raise InputError(f"unknown or empty scope {scope!r}")
    travel = settings.travel
    radius_km = travel.threshold_minutes / 60 * travel.speed_kmh / travel.detour_factor
    demand = communes[~communes["covered"] & (communes["population"] > 0)]
    picks = greedy_max_coverage(
        communes["latitude"],
        communes["longitude"],
        demand["latitude"],
        demand["longitude"],
        demand["population"],
        radius_km,
        n,
    )
    total = int(communes["population"].sum())
    already = int(communes.loc[communes["covered"], "population"].sum())
    rows, cumulative = [], 0
    for number, pick in enumerate(picks, start=1):
        commune = communes.iloc[pick.candidate]
        cumulative += pick.gain
        rows.append(
            {
                "pick": number,
                "scope": scope,
                "commune_code": commune["commune_code"],
                "commune_name": commune["commune_name"],
                "department_code": commune["department_code"],
                "population_newly_covered": pick.gain,
                "cumulative_population_covered": cumulative,
                "share_within_30_min_after": (already + cumulative) / total if total else None,
                "coverage_month": month,
                "planned_at": datetime.now(UTC),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "pick",
            "scope",
            "commune_code",
            "commune_name",
            "department_code",
            "population_newly_covered",
            "cumulative_population_covered",
            "share_within_30_min_after",
            "coverage_month",
            "planned_at",
        ],
    )
    with connect(settings.work_db) as con:
        replace_table(con, "raw", "site_proposals", table.drop(columns=["commune_name", "department_code"]))
    return table
