"""Benchmark 4: twenty typical BI questions on serving/warehouse.duckdb (read-only).

Each question has two SQL texts: ``mart`` (what a BI tool asks of the published marts) and
``floor`` (the same question answered by hand from the fact and dimension tables). Where
the mart *is* the fact table (a site's demand by partner, a commune's coverage history…),
both texts are the same and the ratio is 1 by construction.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import duckdb


def pick_parameters(db: Path) -> dict:
    """A region, one of its departments, a commune, a site: chosen from the data, stable across runs."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        region = con.execute(
            "select region_code from dim_site where is_current group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()[0]
        department = con.execute(
            "select department_code from dim_site where is_current and region_code = ? group by 1 order by count(*) desc, 1 limit 1",
            [region],
        ).fetchone()[0]
        commune = con.execute(
            "select commune_code from dim_commune where department_code = ? order by population desc nulls last, 1 limit 1 offset 3",
            [department],
        ).fetchone()[0]
        site = con.execute(
            "select site_id from fct_demand where month_start = (select max(month_start) from fct_demand) group by 1 order by sum(requests) desc, 1 limit 1"
        ).fetchone()[0]
        last = con.execute("select max(month_end) from mart_territory_monthly where requests > 0").fetchone()[0]
        gaps_region = con.execute(
            "select region_code from mart_coverage_gaps group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()
        gaps_region = gaps_region[0] if gaps_region else region
    finally:
        con.close()
    return {
        "region": region,
        "department": department,
        "commune": commune,
        "site": site,
        "last_month_end": str(last),
        "gaps_region": gaps_region,
    }


def questions(p: dict) -> list[tuple[str, str, str]]:
    R, D, C, S, L = (
        f"'{p['region']}'",
        f"'{p['department']}'",
        f"'{p['commune']}'",
        f"'{p['site']}'",
        f"date '{p['last_month_end']}'",
    )
    G = f"'{p['gaps_region']}'"  # the region with the most coverage gaps
    last12 = f"month_end > {L} - interval 12 month"
    f_last12 = f"month_start > {L} - interval 12 month"
    demand_site = "fct_demand f join dim_site s using (site_key)"
    return [
        (
            "national monthly series",
            "select month_end, sites_open, requests, satisfaction_rate, share_within_30_min from mart_territory_monthly where territory_level = 'national' order by month_end",
            """select d.month_start, d.requests, q.satisfied / q.responses as satisfaction_rate from
             (select month_start, sum(requests) as requests from fct_demand group by 1) d
             left join (select month_start, sum(responses) as responses, sum(satisfied) as satisfied from fct_satisfaction group by 1) q using (month_start) order by 1""",
        ),
        (
            "region's departments, last 12 months",
            f"select territory_code, territory_name, month_end, requests, requests_per_1000, satisfaction_rate from mart_territory_monthly where territory_level = 'department' and region_code = {R} and {last12} order by 1, 3",
            f"select s.department_code, f.month_start, sum(f.requests) from {demand_site} where s.region_code = {R} and f.{f_last12} group by all order by 1, 2",
        ),
        (
            "department's site scorecard",
            f"select site_id, site_name, requests_last_12m, first_visit_resolution_rate, satisfaction_rate, rank_in_department from mart_site_scorecard where department_code = {D} order by rank_in_department",
            f"""select s.site_id, any_value(s.site_name), sum(f.requests), sum(f.resolved_first_visit) / sum(f.requests) from {demand_site}
             where s.department_code = {D} and f.{f_last12} group by s.site_id order by 3 desc""",
        ),
        (
            "region's coverage gaps",
            f"select gap_rank, commune_name, department_name, population, travel_minutes from mart_coverage_gaps where region_code = {G} order by gap_rank limit 50",
            f"""select c.commune_name, c.department_name, c.population, v.travel_minutes from fct_coverage v join dim_commune c using (commune_code)
             where c.region_code = {G} and v.month_end = (select max(month_end) from fct_coverage) and not v.within_30_min order by c.population desc limit 50""",
        ),
        (
            "top 10 sites by requests (12 months)",
            "select site_id, site_name, department_code, requests_last_12m from mart_site_scorecard order by requests_last_12m desc limit 10",
            f"select f.site_id, sum(f.requests) as r from fct_demand f where f.{f_last12} group by 1 order by r desc limit 10",
        ),
        (
            "commune's coverage history (fact)",
            f"select month_end, nearest_site_id, distance_km, travel_minutes, within_30_min from fct_coverage where commune_code = {C} order by month_end",
            f"select month_end, nearest_site_id, distance_km, travel_minutes, within_30_min from fct_coverage where commune_code = {C} order by month_end",
        ),
        (
            "network growth",
            "select month_end, sites_open, main_sites_open, antenna_sites_open, mobile_sites_open, year_end_target from mart_network_growth order by month_end",
            """select d.month_end, count(*) from (select distinct month_end from dim_date where month_end between date '2020-01-31' and current_date) d
             join dim_site s on coalesce(s.labelled_on, s.valid_from) <= d.month_end and (s.valid_to is null or s.valid_to > d.month_end) group by 1 order by 1""",
        ),
        (
            "satisfaction by region (12 months)",
            f"select territory_code, territory_name, sum(satisfied) / sum(responses), sum(would_recommend) / sum(recommend_answers) from mart_territory_monthly where territory_level = 'region' and {last12} group by 1, 2 order by 1",
            f"select s.region_code, sum(f.satisfied) / sum(f.responses), sum(f.would_recommend) / sum(f.recommend_answers) from fct_satisfaction f join dim_site s using (site_key) where f.{f_last12} group by 1 order by 1",
        ),
        (
            "requests per 1,000 by department (last month)",
            f"select territory_code, territory_name, requests_per_1000 from mart_territory_monthly where territory_level = 'department' and month_end = {L} order by requests_per_1000 desc",
            f"""with d as (select s.department_code, sum(f.requests) r from {demand_site} where f.month_start = date_trunc('month', {L}) group by 1),
             p as (select department_code, sum(population) pop from dim_commune group by 1)
             select department_code, r * 1000.0 / pop from d join p using (department_code) order by 2 desc""",
        ),
        (
            "share within 30 min by region (last month)",
            f"select territory_code, territory_name, share_within_30_min from mart_territory_monthly where territory_level = 'region' and month_end = {L} order by 1",
            f"""select c.region_code, sum(c.population) filter (where v.within_30_min) / sum(c.population) from fct_coverage v join dim_commune c using (commune_code)
             where v.month_end = {L} group by 1 order by 1""",
        ),
        (
            "department's EPCI ranking (12 months)",
            f"select territory_code, territory_name, sum(requests) * 1000.0 / any_value(population) as per_1000 from mart_territory_monthly where territory_level = 'epci' and department_code = {D} and {last12} group by 1, 2 order by per_1000 desc",
            f"""with d as (select c.epci_code, sum(f.requests) r from {demand_site} join dim_commune c on c.commune_code = s.commune_code
                        where c.department_code = {D} and f.{f_last12} group by 1),
             p as (select epci_code, sum(population) pop from dim_commune group by 1)
             select epci_code, r * 1000.0 / pop from d join p using (epci_code) order by 2 desc""",
        ),
        (
            "first-visit resolution by region (12 months)",
            f"select territory_code, sum(resolved_first_visit) / sum(requests_with_resolution) from mart_territory_monthly where territory_level = 'region' and {last12} group by 1 order by 1",
            f"select s.region_code, sum(f.resolved_first_visit) / sum(f.requests) filter (where f.resolved_first_visit is not null) from {demand_site} where f.{f_last12} group by 1 order by 1",
        ),
        (
            "one site's demand by partner (fact)",
            f"select month_start, partner_code, sum(requests) from fct_demand where site_id = {S} group by all order by 1, 2",
            f"select month_start, partner_code, sum(requests) from fct_demand where site_id = {S} group by all order by 1, 2",
        ),
        (
            "national demand by theme (12 months, fact)",
            f"select t.theme_name, sum(f.requests) from fct_demand f join dim_theme t using (theme_key) where f.{f_last12} group by 1 order by 2 desc",
            f"select t.theme_name, sum(f.requests) from fct_demand f join dim_theme t using (theme_key) where f.{f_last12} group by 1 order by 2 desc",
        ),
        (
            "region's channel mix (12 months, fact)",
            f"select f.channel, sum(f.requests) from {demand_site} where s.region_code = {R} and f.{f_last12} group by 1 order by 2 desc",
            f"select f.channel, sum(f.requests) from {demand_site} where s.region_code = {R} and f.{f_last12} group by 1 order by 2 desc",
        ),
        (
            "department's full monthly series",
            f"select month_end, sites_open, requests, responses, satisfaction_rate, share_within_30_min from mart_territory_monthly where territory_level = 'department' and territory_code = {D} order by month_end",
            f"select f.month_start, sum(f.requests) from {demand_site} where s.department_code = {D} group by 1 order by 1",
        ),
        (
            "population beyond 30 min, region's departments (last month)",
            f"select territory_code, population - population_within_30_min from mart_territory_monthly where territory_level = 'department' and region_code = {R} and month_end = {L} order by 2 desc",
            f"""select c.department_code, sum(c.population) filter (where not v.within_30_min) from fct_coverage v join dim_commune c using (commune_code)
             where c.region_code = {R} and v.month_end = {L} group by 1 order by 2 desc""",
        ),
        (
            "served only by a mobile site, by department (fact)",
            f"select c.department_code, sum(v.population) from fct_coverage v join dim_commune c using (commune_code) where v.month_end = {L} and v.served_only_by_mobile group by 1 order by 2 desc",
            f"select c.department_code, sum(v.population) from fct_coverage v join dim_commune c using (commune_code) where v.month_end = {L} and v.served_only_by_mobile group by 1 order by 2 desc",
        ),
        (
            "sites labelled per year by type",
            "select year(month_end), max(main_sites_labelled), max(antenna_sites_labelled), max(mobile_sites_labelled) from mart_network_growth group by 1 order by 1",
            "select year(labelled_on), site_type, count(distinct site_id) from dim_site group by all order by 1, 2",
        ),
        (
            "region's 10 least satisfying sites",
            f"select site_id, site_name, satisfaction_rate, responses_last_12m from mart_site_scorecard where region_code = {R} and responses_last_12m >= 20 order by satisfaction_rate limit 10",
            f"""select f.site_id, sum(f.satisfied) / sum(f.responses) as rate, sum(f.responses) from fct_satisfaction f join dim_site s using (site_key)
             where s.region_code = {R} and f.{f_last12} group by 1 having sum(f.responses) >= 20 order by rate limit 10""",
        ),
    ]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def measure(db: Path, *, repeats: int = 20, warmup: int = 2) -> dict:
    """p50/p95 per question and overall, for the mart and floor SQL.

    ``new``: connect read_only + run + fetch + close, with no other connection open in the
    process (DuckDB shares one database instance between the connections of a process, so an
    open connection would hide the cost of opening the file: that is what a BI client pays).
    ``persistent``: one connection kept open, after the warm-ups.
    """
    params = pick_parameters(db)
    qs = questions(params)
    out = {"parameters": params, "repeats": repeats, "questions": [{"question": name} for name, _, _ in qs]}
    all_times = {("mart", "new"): [], ("mart", "persistent"): [], ("floor", "new"): [], ("floor", "persistent"): []}
    for row, (_name, mart_sql, floor_sql) in zip(out["questions"], qs):
        for label, sql in (("mart", mart_sql), ("floor", floor_sql)):
            times, rows = [], 0
            for i in range(warmup + repeats):
                start = time.perf_counter()
                con = duckdb.connect(str(db), read_only=True)
                rows = len(con.execute(sql).fetchall())
                con.close()
                if i >= warmup:
                    times.append(time.perf_counter() - start)
            all_times[(label, "new")] += times
            row[label] = {
                "rows": rows,
                "new_p50_ms": 1000 * statistics.median(times),
                "new_p95_ms": 1000 * _pct(times, 0.95),
            }
    persistent = duckdb.connect(str(db), read_only=True)
    try:
        for row, (_name, mart_sql, floor_sql) in zip(out["questions"], qs):
            for label, sql in (("mart", mart_sql), ("floor", floor_sql)):
                for _ in range(warmup):
                    persistent.execute(sql).fetchall()
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    persistent.execute(sql).fetchall()
                    times.append(time.perf_counter() - start)
                all_times[(label, "persistent")] += times
                row[label].update(
                    {
                        "persistent_p50_ms": 1000 * statistics.median(times),
                        "persistent_p95_ms": 1000 * _pct(times, 0.95),
                    }
                )
    finally:
        persistent.close()
    out["overall"] = {
        f"{label}_{mode}": {
            "p50_ms": 1000 * statistics.median(v),
            "p95_ms": 1000 * _pct(v, 0.95),
            "max_ms": 1000 * max(v),
        }
        for (label, mode), v in all_times.items()
    }
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        duckdb.connect(str(db), read_only=True).close()
        times.append(time.perf_counter() - start)
    out["connect_only_p50_ms"] = 1000 * statistics.median(times)
    return out
