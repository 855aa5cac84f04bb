"""Site listing end to end: history across releases, gates, network growth; the published figures."""

import csv
import hashlib
from datetime import date, timedelta

import duckdb
import pytest

from tests.conftest import last_line, real_file, run_fsw

pytestmark = pytest.mark.slow

HAVERSINE = (
    "2 * 6371.0088 * asin(sqrt(power(sin(radians(slat - c.latitude) / 2), 2) + cos(radians(c.latitude)) "
    "* cos(radians(slat)) * power(sin(radians(slon - c.longitude) / 2), 2)))"
)


def _query(home, sql, db="serving/warehouse.duckdb"):
    con = duckdb.connect(str(home / db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_history_coverage_growth_and_plan(fsw_home, tmp_path):
    march = real_file("anct-france-services", "2020-03-10_a249d68_france_services.geojson")
    october = real_file("anct-france-services", "2020-10-12_0584fe1_france_services.geojson")
    listing_2024 = real_file("anct-france-services", "2024-08-01_liste-fs-20240801.csv")
    barometer = real_file("barometre", "barometre-resultats-detail-national.csv")
    ditp_2024 = [str(real_file("barometre", "ditp", f"ind-{n}_2024-10-17.csv")) for n in (323, 246)]
    ditp_2023 = [str(real_file("barometre", "ditp", f"ind-{n}_2023-11-22.csv")) for n in (323, 246)]

    assert (
        run_fsw(
            fsw_home, "ingest", "sites", str(march), "--as-of", "2020-03-10", "--no-publish", demo_months=0
        ).returncode
        == 0
    )
    done = run_fsw(
        fsw_home,
        "ingest",
        "barometer",
        str(barometer),
        *ditp_2024,
        "--as-of",
        "2024-10-17",
        "--no-publish",
        demo_months=0,
    )
    assert done.returncode == 0, done.stderr
    current_2024 = _ditp_current(fsw_home)
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

    # The DITP barometer: an older export loaded after the newer one changes no current value,
    # and what it said stays in the revision table.
    done = run_fsw(fsw_home, "ingest", "barometer", *ditp_2023, "--as-of", "2023-11-22", demo_months=0)
    assert done.returncode == 0, done.stderr
    assert (
        "DITP ind-323_2023-11-22.csv (as of 2023-11-22): IND-323 1,200 values; 101 departments, 18 regions, "
        "national; 2022-05…2026-12; 600 current, 600 superseded by a newer export; 0 quarantined"
    ) in done.stderr
    current = _ditp_current(fsw_home)
    assert len(current_2024) == 2_126 and all(current[key] == value for key, value in current_2024.items())
    revisions = _query(
        fsw_home,
        "select as_of::date, value from raw.barometer_ditp_revisions where zone_id = 'FRANCE' and indicator_id = "
        "'IND-323' and month_start = '2023-01-01' and measure = 'current' order by as_of",
        db="work.duckdb",
    )
    assert revisions == [(date(2023, 11, 22), 650_165), (date(2024, 10, 17), 650_165)]
    published = {
        (level, code, str(month), indicator): (value, target)
        for level, code, month, indicator, value, target in _query(
            fsw_home,
            "select territory_level, territory_code, month_start, indicator, published_value, target_value "
            "from mart_published_reconciliation",
        )
    }
    assert published[("national", "FR", "2024-07-01", "monthly_acts")] == (935_377, None)
    assert published[("national", "FR", "2026-12-01", "monthly_acts")] == (None, 1_053_711.89)
    assert published[("department", "11", "2024-07-01", "monthly_acts")][0] == 9_722
    assert published[("national", "FR", "2022-11-01", "labelled_sites")][0] == 2_538
    territories = _query(
        fsw_home,
        "select indicator, territory_level, count(distinct territory_code) from mart_published_reconciliation "
        "where indicator <> 'labelled_sites' group by all order by all",
    )
    # IND-246 has no regional figure and none for the Territoire de Belfort (D90) in either export.
    assert territories == [
        ("monthly_acts", "department", 101),
        ("monthly_acts", "national", 1),
        ("monthly_acts", "region", 18),
        ("satisfaction_rate", "department", 100),
        ("satisfaction_rate", "national", 1),
    ]

    # A copy of the 2024 export whose dates were dragged down in a spreadsheet is refused.
    damaged = tmp_path / "damaged" / "ind-323_2024-10-17.csv"
    damaged.parent.mkdir()
    _fill_down_dates(ditp_2024[0], damaged, zone="D01", start=date(2023, 1, 1))
    serving = hashlib.sha256((fsw_home / "serving" / "warehouse.duckdb").read_bytes()).hexdigest()
    done = run_fsw(fsw_home, "ingest", "barometer", str(damaged), "--as-of", "2024-10-18", demo_months=0)
    assert done.returncode == 1
    assert last_line(done.stderr) == (
        "fsw: error: ind-323_2024-10-17.csv: column 'metric_enforce_date': indicator IND-323, zone D01, rows 2–11: "
        "the dates move by one day per row (2023-01-01, 2023-01-02, 2023-01-03 …), a spreadsheet fill-down, not "
        "monthly figures: the file is refused"
    )
    assert hashlib.sha256((fsw_home / "serving" / "warehouse.duckdb").read_bytes()).hexdigest() == serving


def _ditp_current(home) -> dict:
    """(indicator, zone, month, measure) → (value, export as-of) of the current DITP view."""
    rows = _query(
        home,
        "select indicator_id, zone_id, month_start, measure, value, as_of from raw.barometer_ditp",
        db="work.duckdb",
    )
    return {tuple(row[:4]): tuple(row[4:]) for row in rows}


def _fill_down_dates(source, target, *, zone: str, start: date) -> None:
    """A copy of ``source`` whose dates of ``zone`` run one day apart from ``start`` (a fill-down)."""
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    zone_rows = [row for row in rows[1:] if row[1] == zone]
    for offset, row in enumerate(zone_rows):
        row[2] = (start + timedelta(days=offset)).isoformat()
    with open(target, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
