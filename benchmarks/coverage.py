"""Benchmark 3: the coverage computation (int_coverage_nearest + fct_coverage) for all months.

- ``dbt_timings``: what dbt's run_results.json of the full refresh says for fct_coverage; the
  asset int_coverage_nearest (orchestration.defs.nearest) is timed by ``asset_nearest``, the
  same call on the same inputs.
- ``python_nearest``: the model's own work (``ingestion.geo.nearest``, KD-tree, per month, any /
  fixed / mobile site) on dim_commune × int_sites_open_monthly read from the work DB.
- floors: numpy brute force (unit-vector dot products, the communes × sites matrix in chunks)
  and DuckDB SQL brute force (cross join communes × sites, haversine, arg_min) for one month,
  scaled to all months.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import numpy as np


def dbt_timings(run_results: Path) -> dict:
    data = json.loads(run_results.read_text(encoding="utf-8"))
    timings = {}
    for result in data.get("results", []):
        uid = result["unique_id"]
        if uid.startswith("model."):
            timings[uid.split(".")[-1]] = result.get("execution_time")
    return {"elapsed_s": data.get("elapsed_time"), "models": timings}


def load_inputs(work_db: Path):
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        communes = con.execute(
            "select commune_code, latitude, longitude from main.dim_commune where latitude is not null"
        ).df()
        sites = con.execute(
            "select month_end, site_id, is_mobile, latitude, longitude from main.int_sites_open_monthly where latitude is not null"
        ).df()
    finally:
        con.close()
    return communes, sites


def python_nearest(communes, sites) -> dict:
    from ingestion.geo import nearest

    start = time.perf_counter()
    months = 0
    for _, month_sites in sites.groupby("month_end", sort=True):
        months += 1
        for subset in (month_sites, month_sites[~month_sites["is_mobile"]], month_sites[month_sites["is_mobile"]]):
            nearest(communes["latitude"], communes["longitude"], subset["latitude"], subset["longitude"])
    return {
        "seconds": time.perf_counter() - start,
        "months": months,
        "communes": len(communes),
        "site_months": len(sites),
    }


def numpy_brute(communes, sites, chunk: int = 4096) -> dict:
    """Nearest by the largest dot product of unit vectors, communes × sites in chunks."""
    from ingestion.geo import unit_vectors

    points = unit_vectors(communes["latitude"], communes["longitude"])
    start = time.perf_counter()
    months = 0
    for _, month_sites in sites.groupby("month_end", sort=True):
        months += 1
        for subset in (month_sites, month_sites[~month_sites["is_mobile"]], month_sites[month_sites["is_mobile"]]):
            if not len(subset):
                continue
            targets = unit_vectors(subset["latitude"], subset["longitude"])
            for lo in range(0, len(points), chunk):
                np.argmax(points[lo : lo + chunk] @ targets.T, axis=1)
    return {"seconds": time.perf_counter() - start, "months": months}


def duckdb_brute_one_month(work_db: Path) -> dict:
    """Cross join communes × open sites of the last month, haversine, arg_min (any site only;
    the fixed and mobile variants together cost about the same again: ×2 when scaled)."""
    con = duckdb.connect()
    con.execute(f"attach '{work_db}' as w (read_only)")
    con.execute(
        "create temp table c as select commune_code, latitude, longitude from w.main.dim_commune where latitude is not null"
    )
    con.execute(
        "create temp table s as select * from w.main.int_sites_open_monthly where latitude is not null and month_end = (select max(month_end) from w.main.int_sites_open_monthly)"
    )
    months = con.execute("select count(distinct month_end) from w.main.int_sites_open_monthly").fetchone()[0]
    pairs = con.execute("select (select count(*) from c) * (select count(*) from s)").fetchone()[0]
    start = time.perf_counter()
    con.execute("""
        create temp table nearest as
        select c.commune_code, arg_min(s.site_id, d) as site_id, min(d) as km from (
            select c.commune_code, s.site_id,
                   2 * 6371.0088 * asin(sqrt(pow(sin(radians(s.latitude - c.latitude) / 2), 2)
                     + cos(radians(c.latitude)) * cos(radians(s.latitude)) * pow(sin(radians(s.longitude - c.longitude) / 2), 2))) as d
            from c cross join s) x join c using (commune_code) join s using (site_id)
        group by c.commune_code""")
    one = time.perf_counter() - start
    con.close()
    return {
        "one_month_s": one,
        "pairs": pairs,
        "months": months,
        "scaled_all_months_any_fixed_mobile_s": one * months * 2,
    }


def asset_nearest(work_db: Path) -> float:
    """Seconds of the asset int_coverage_nearest's computation, on its inputs in the work DB."""
    from orchestration.nearest_tables import coverage_nearest

    with duckdb.connect(str(work_db), read_only=True) as con:
        communes = con.sql("select * from main.int_communes where latitude is not null").df()
        first = con.execute("select last_day(min(valid_from)) from main.int_site_versions").fetchall()[0][0]
        sites = con.sql("select * from main.int_sites_open_monthly where has_position").df()
        places = con.sql("select * from main.int_outreach_place_links where latitude is not null").df()
    start = time.perf_counter()
    coverage_nearest(communes, first, sites, places)
    return time.perf_counter() - start


def measure(work_db: Path, run_results: Path | None) -> dict:
    out = {}
    if run_results and run_results.exists():
        out["dbt"] = dbt_timings(run_results)
        out["asset_nearest_s"] = asset_nearest(work_db)
        out["dbt_coverage_s"] = out["asset_nearest_s"] + (out["dbt"]["models"].get("fct_coverage") or 0)
    communes, sites = load_inputs(work_db)
    out["python_nearest"] = python_nearest(communes, sites)
    out["numpy_brute"] = numpy_brute(communes, sites)
    out["duckdb_brute"] = duckdb_brute_one_month(work_db)
    return out
