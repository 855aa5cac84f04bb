"""Site listing end to end: history across releases, gates, network growth."""

import duckdb
import pytest

from tests.conftest import real_file, run_fsw

pytestmark = pytest.mark.slow

HAVERSINE = (
    "2 * 6371.0088 * asin(sqrt(power(sin(radians(slat - c.latitude) / 2), 2) + cos(radians(c.latitude)) "
    "* cos(radians(slat)) * power(sin(radians(slon - c.longitude) / 2), 2)))"
)


def _query(home, sql):
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_history_coverage_growth_and_plan(fsw_home, tmp_path):
    march = real_file("anct-france-services", "2020-03-10_a249d68_france_services.geojson")
    october = real_file("anct-france-services", "2020-10-12_0584fe1_france_services.geojson")
    listing_2024 = real_file("anct-france-services", "2024-08-01_liste-fs-20240801.csv")
    barometer = real_file("barometre", "barometre-resultats-detail-national.csv")

    assert (
        run_fsw(
            fsw_home, "ingest", "sites", str(march), "--as-of", "2020-03-10", "--no-publish", demo_months=0
        ).returncode
        == 0
    )
    assert run_fsw(fsw_home, "ingest", "barometer", str(barometer), "--no-publish", demo_months=0).returncode == 0
    done = run_fsw(fsw_home, "ingest", "sites", str(october), "--as-of", "2020-10-12", demo_months=0)
    assert done.returncode == 0, done.stderr
    [(kept, closed, versions_128, demo)] = _query(
        fsw_home,
        """
        select
          (select count(distinct site_id) from dim_site where valid_from = '2020-03-10' and site_id in
              (select site_id from dim_site where is_current)),
          (select list(site_id) from dim_site where valid_to = '2020-10-12' and site_id not in
              (select site_id from dim_site where is_current)),
          (select list(site_name order by valid_from) from dim_site where site_id = '128'),
          (select count(*) from dim_site where is_demo)""",
    )
    assert kept == 580 and closed == ["523"] and versions_128 == ["Is-sur-Tile", "Is-sur-Tille"] and demo == 0
    [(share_2020,)] = _query(
        fsw_home,
        "select share_within_30_min from mart_territory_monthly "
        "where territory_level = 'national' and month_end = '2020-10-31'",
    )
    mix = dict(
        ((t, m), n)
        for t, m, n in _query(
            fsw_home, "select site_type, is_mobile, count(*) from dim_site where is_current group by all"
        )
    )
    assert mix == {("main", False): 813, ("main", True): 43, ("antenna", False): 42, ("antenna", True): 10}

    # Bad releases (no coordinates, duplicated id, truncated GeoJSON) are in tests/bad_inputs.
    done = run_fsw(fsw_home, "ingest", "sites", str(listing_2024), "--as-of", "2024-08-01", demo_months=0)
    assert done.returncode == 0, done.stderr
    [(current, main, antenna, mobile, charter, no_hours, valserhone)] = _query(
        fsw_home,
        """
        select count(*), count(*) filter (where site_type = 'main'), count(*) filter (where site_type = 'antenna'),
               count(*) filter (where is_mobile), count(*) filter (where charter_compliant),
               count(*) filter (where weekly_opening_hours is null),
               max(weekly_opening_hours) filter (where site_id = '1')
        from dim_site where is_current""",
    )
    assert (current, main, antenna, mobile, no_hours, valserhone) == (2845, 2721, 124, 163, 48, 28.5)
    assert 2500 <= charter <= 2600
    # Coverage: one row per commune at 2024-08-31, distances = great-circle to the nearest open site.
    [(rows, communes)] = _query(
        fsw_home,
        "select (select count(*) from fct_coverage where month_end = '2024-08-31'), (select count(*) from dim_commune)",
    )
    assert rows == communes
    sample = _query(
        fsw_home,
        f"""
        select f.distance_km, min({HAVERSINE}) as brute
        from (select * from fct_coverage where month_end = '2024-08-31' and distance_km is not null
              order by commune_code limit 400) f
        join dim_commune c using (commune_code)
        cross join (select latitude as slat, longitude as slon from dim_site where is_current and latitude is not null) s
        group by f.commune_code, f.distance_km""",
    )
    assert all(abs(d - b) <= 0.005 * max(b, 0.01) for d, b in sample)
    [(share_2024, regions_sum_ok)] = _query(
        fsw_home,
        """
        select n.share_within_30_min,
               n.population_within_30_min = (select sum(population_within_30_min) from mart_territory_monthly
                                             where territory_level = 'region' and month_end = n.month_end)
        from mart_territory_monthly n where territory_level = 'national' and month_end = '2024-08-31'""",
    )
    assert share_2024 > share_2020 and regions_sum_ok
    print(f"national share within 30 min: {share_2020:.4f} (Oct 2020) → {share_2024:.4f} (Aug 2024)")
    done = run_fsw(fsw_home, "plan", "--sites", "10", demo_months=0)
    assert done.returncode == 0, done.stderr
    assert len([line for line in done.stdout.splitlines() if line[:3].strip().isdigit()]) == 10
    [(proposals,)] = _query(fsw_home, "select count(*) from mart_site_proposals")
    assert proposals == 10

    growth = dict(
        (str(m), (lab, pub))
        for m, lab, pub in _query(
            fsw_home,
            "select month_end, main_sites_labelled, published_sites from mart_network_growth "
            "where month_end in ('2022-04-30', '2022-11-30')",
        )
    )
    assert growth["2022-11-30"] == (2538, 2538)
    assert abs(growth["2022-04-30"][0] - 2197) <= 30 and growth["2022-04-30"][1] == 2197
