"""A small serving DB with known figures for the report tests: Occitanie (76) with two departments,
Auvergne-Rhône-Alpes (84) beside it, two months of demand and a third month with sites only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

FEBRUARY = date(2025, 2, 28)
# Occitanie's requests in February, as the mart holds them and as the partners' demand sums.
OCCITANIE_FEBRUARY_REQUESTS = 1_234_567
NATIONAL_FEBRUARY_REQUESTS = 1_734_567
GAP_COMMUNES = 25  # in the Hérault: more than the report's 20 rows; one more in the Ain
GAP_POPULATION = sum(1_000 + i * 10 for i in range(GAP_COMMUNES))  # 28 000
HERAULT_POPULATION = 300_000 + GAP_POPULATION
OCCITANIE_POPULATION = 500_000 + HERAULT_POPULATION
AIN_POPULATION = 41_000 + 14_000
UNSAFE_NAME = "<b>Saint-Gras</b>"

COMMUNES = [
    # commune_code, name, department, department name, region, region name, population, lat, lon
    ("31555", "Toulouse", "31", "Haute-Garonne", "76", "Occitanie", 500_000, 43.60, 1.44),
    ("34172", "Montpellier", "34", "Hérault", "76", "Occitanie", 300_000, 43.61, 3.88),
    ("01053", "Bourg-en-Bresse", "01", "Ain", "84", "Auvergne-Rhône-Alpes", 41_000, 46.21, 5.23),
    ("01004", "Ambérieu-en-Bugey", "01", "Ain", "84", "Auvergne-Rhône-Alpes", 14_000, 45.96, 5.36),
    *[
        (
            f"34{100 + i}",
            UNSAFE_NAME if i == 0 else f"Village {i}",
            "34",
            "Hérault",
            "76",
            "Occitanie",
            1_000 + i * 10,
            43.3 + i * 0.01,
            3.0 + i * 0.01,
        )
        for i in range(GAP_COMMUNES)
    ],
]
SITES = [
    # site_key, site_id, name, is_mobile, commune, department, region, lat, lon
    (1, "S1", "France services Toulouse", False, "31555", "31", "76", 43.60, 1.44),
    (2, "S2", "Bus France services Hérault", True, "34172", "34", "76", 43.61, 3.88),
    (3, "S3", "France services Bourg", False, "01053", "01", "84", 46.21, 5.23),
]
DEMAND = [
    # site_key, month_start, partner_code, requests
    (1, date(2025, 1, 1), "dgfip", 900_000),
    (1, date(2025, 1, 1), "cnaf", 200_000),
    (1, date(2025, 2, 1), "dgfip", 1_000_000),
    (1, date(2025, 2, 1), "cnaf", 200_000),
    (2, date(2025, 2, 1), "other", 34_567),
    (3, date(2025, 1, 1), "dgfip", 450_000),
    (3, date(2025, 2, 1), "dgfip", 500_000),
]
# territory_level, code, name, region, department, population, sites, mobile, share 30 min,
# requests Jan, requests Feb, satisfaction Feb
TERRITORIES = [
    (
        "national",
        "FR",
        "France",
        None,
        None,
        OCCITANIE_POPULATION + AIN_POPULATION,
        3,
        1,
        0.987,
        1_550_000,
        NATIONAL_FEBRUARY_REQUESTS,
        0.951,
    ),
    (
        "region",
        "76",
        "Occitanie",
        "76",
        None,
        OCCITANIE_POPULATION,
        2,
        1,
        0.972,
        1_100_000,
        OCCITANIE_FEBRUARY_REQUESTS,
        0.9654,
    ),
    ("region", "84", "Auvergne-Rhône-Alpes", "84", None, AIN_POPULATION, 1, 0, 1.0, 450_000, 500_000, 0.93),
    ("department", "31", "Haute-Garonne", "76", "31", 500_000, 1, 0, 1.0, 1_100_000, 1_200_000, 0.97),
    ("department", "34", "Hérault", "76", "34", HERAULT_POPULATION, 1, 1, 0.94, 0, 34_567, 0.9),
]


def _territory_rows() -> list[tuple]:
    rows = []
    for level, code, name, region, department, population, sites, mobile, share, january, february, rate in TERRITORIES:
        for month_end, requests, satisfaction in (
            (date(2025, 1, 31), january, rate - 0.01),
            (FEBRUARY, february, rate),
            (date(2025, 3, 31), None, None),  # sites known, demand not yet
        ):
            per_1000 = requests * 1000 / population if requests is not None else None
            responses = 1_200 if satisfaction is not None else None
            rows.append(
                (
                    level,
                    code,
                    name,
                    region,
                    department,
                    month_end,
                    population,
                    sites,
                    mobile,
                    share,
                    requests,
                    per_1000,
                    0.801 if requests is not None else None,
                    responses,
                    satisfaction,
                    0.982 if satisfaction is not None else None,
                    42.0,
                )
            )
    return rows


def build_serving_db(
    serving_db: Path, *, with_qpv: bool = False, with_growth: bool = True, with_demand: bool = True
) -> None:
    """Write the small serving DB at ``serving_db``: every table an extract reads, QPV coverage
    empty unless ``with_qpv``; ``with_growth``/``with_demand`` False drop those tables (older homes)."""
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(serving_db))
    try:
        con.execute(
            "create table dim_commune (commune_code varchar, commune_name varchar, department_code varchar, "
            "department_name varchar, region_code varchar, region_name varchar, population bigint, "
            "latitude double, longitude double)"
        )
        con.executemany("insert into dim_commune values (?, ?, ?, ?, ?, ?, ?, ?, ?)", COMMUNES)
        con.execute(
            "create table dim_site (site_key integer, site_id varchar, site_name varchar, is_mobile boolean, "
            "commune_code varchar, department_code varchar, region_code varchar, latitude double, "
            "longitude double, is_current boolean default true)"
        )
        con.executemany(
            "insert into dim_site (site_key, site_id, site_name, is_mobile, commune_code, department_code, "
            "region_code, latitude, longitude) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            SITES,
        )
        con.execute(
            """create table dim_partner as select * from (values
                ('dgfip', 'Direction générale des Finances publiques', true),
                ('cnaf', 'Caisse nationale des allocations familiales (CAF)', true),
                ('other', 'Autre partenaire', false)
            ) as t(partner_code, partner_name, is_national_partner)"""
        )
        if with_demand:
            con.execute(
                "create table fct_demand (site_key integer, month_start date, partner_code varchar, requests bigint)"
            )
            con.executemany("insert into fct_demand values (?, ?, ?, ?)", DEMAND)
        con.execute(
            "create table mart_territory_monthly (territory_level varchar, territory_code varchar, "
            "territory_name varchar, region_code varchar, department_code varchar, month_end date, "
            "population bigint, sites_open bigint, mobile_sites_open bigint, share_within_30_min double, "
            "requests bigint, requests_per_1000 double, first_visit_resolution_rate double, responses bigint, "
            "satisfaction_rate double, recommend_rate double, outreach_hours double)"
        )
        con.executemany(
            "insert into mart_territory_monthly values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _territory_rows(),
        )
        if with_growth:
            con.execute(
                """create table mart_network_growth as select * from (values
                    (date '2022-12-31', null::bigint, 2400::bigint, 2500, null::bigint),
                    (date '2023-06-30', null, 2600, 2750, 2650),
                    (date '2023-12-31', null, 2741, 2750, null),
                    (date '2025-02-28', 3, 2800, null, null)
                ) as t(month_end, sites_open, sites_labelled, year_end_target, published_sites)"""
            )
        con.execute(
            """create table mart_coverage_gaps as
            select row_number() over (order by population desc, commune_code)::integer as gap_rank, commune_code,
                   commune_name, department_code, department_name, region_code, population,
                   date '2025-03-31' as month_end, 'S2' as nearest_site_id,
                   'Bus France services Hérault' as nearest_site_name, 31.26::double as distance_km,
                   35.4::double as travel_minutes
            from dim_commune where commune_code between '34100' and '34124' or commune_code = '01004'"""
        )
        con.execute(
            """create table dim_outreach_place as select * from (values
                ('P1', '2', 'Mairie', '34100', '34', '76', 43.30, 3.00, true),
                ('P2', '2', 'Foyer rural', '34101', '34', '76', 43.31, 3.01, true),
                ('P3', '3', 'Salle des fêtes', '01053', '01', '84', 46.2, 5.2, true)
            ) as t(place_id, site_id, place_name, commune_code, department_code, region_code, latitude,
                   longitude, is_current)"""
        )
        con.execute(
            "create table mart_qpv_coverage (qpv_code varchar, qpv_name varchar, generation integer, "
            "commune_code varchar, department_code varchar, region_code varchar, month_end date, "
            "population bigint, travel_minutes double, has_presence_inside boolean)"
        )
        if with_qpv:
            con.execute(
                """insert into mart_qpv_coverage values
                ('QN03401M', 'Quartier Nord', 2024, '34172', '34', '76', date '2025-03-31', 4000, 12.0, true),
                ('QN03402M', 'Petit Bard', 2024, '34172', '34', '76', date '2025-03-31', 2500, 22.0, false),
                ('QN03403M', 'Ancien quartier', 2015, '34172', '34', '76', date '2025-03-31', 900, 40.0, false),
                ('QN00101M', 'Reyssouze', 2024, '01053', '01', '84', date '2025-03-31', 3000, 5.0, false)"""
            )
        con.execute(
            "create table mart_site_scorecard as select site_id, site_name, commune_code, department_code, "
            "region_code from dim_site"
        )
        con.execute(
            "create table mart_published_reconciliation (territory_level varchar, territory_code varchar, "
            "region_code varchar, department_code varchar, month_start date, indicator varchar)"
        )
        con.execute(
            "create table fsw_publication as select ?::timestamptz as published_at, ? as run_id",
            [datetime(2025, 4, 2, 8, 30, tzinfo=UTC), "run-report"],
        )
    finally:
        con.close()
