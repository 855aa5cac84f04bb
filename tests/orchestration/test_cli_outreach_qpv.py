"""Outreach places and QPVs end to end through `fsw ingest`, on the real files, in one home."""

import duckdb
import pytest

from tests.conftest import last_line, real_file, run_fsw

pytestmark = pytest.mark.slow

TEMPLATE = (
    "site_id;place_name;commune_code;latitude;longitude;opening_hours;weeks;valid_from;valid_to\n"
    ";Centre social Le Viguier;11069;43.2091;2.3313;Tu 09:00-12:00;all;2024-01-01;\n"
    ";Maison de quartier Ozanam;11069;43.2122;2.3758;Th 14:00-17:00;odd;2024-01-01;2024-12-31\n"
    ';Mairie annexe de Grazailles;11069;;;"Fr 09:00-12:00; PH off";even;2024-03-01;\n'
    ";Arrêt sans commune;;43.2;2.3;Mo 09:00-12:00;all;2024-01-01;\n"
    ";Permanence du marché;11069;43.21;2.35;le mardi matin;all;2024-01-01;\n"
)


def _work(home, sql, params=()):
    con = duckdb.connect(str(home / "work.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_bus_stops_permanences_and_both_qpv_generations(fsw_home, tmp_path):
    bus = real_file("outreach", "bus-france-services-charente.json")
    qpv_files = [
        real_file("qpv", "qpv2015_occitanie.csv"),
        real_file("qpv", "qpv2015_occitanie.geojson"),
        real_file("qpv", "qpv2024_points_par_commune.geojson"),
    ]
    template = tmp_path / "permanences_carcassonne.csv"
    template.write_text(TEMPLATE, encoding="utf-8")
    no_codes = tmp_path / "quartiers_sans_code.csv"
    no_codes.write_text("nom_qp,nom_commune,pop_mun\nOzanam,Carcassonne,2060\n", encoding="utf-8")

    # A QPV file without codes fails the load in one line; every file stays in landing/ and the
    # good ones, waiting, load with the next command.
    done = run_fsw(fsw_home, "ingest", "qpv", *map(str, qpv_files), str(no_codes), demo_months=0)
    assert done.returncode == 1
    assert last_line(done.stderr) == (
        "fsw: error: quartiers_sans_code.csv: column 'code_qp': no QPV code column (expected code_qp): each "
        "neighbourhood must be named by its code (QP… for 2015, QN… for 2024)"
    )
    assert "Traceback" not in done.stderr and not (fsw_home / "serving" / "warehouse.duckdb").exists()
    [landed] = list((fsw_home / "landing" / "qpv").glob("*/quartiers_sans_code.csv"))
    assert landed.read_bytes() == no_codes.read_bytes()
    assert len(list((fsw_home / "landing" / "qpv").glob("*/manifest.json"))) == 4

    done = run_fsw(fsw_home, "ingest", "outreach", str(bus), str(template), demo_months=0)
    assert done.returncode == 0, done.stderr
    [(places, odd, even, average, replaced)] = _work(
        fsw_home,
        """select count(*), sum(hours_odd_week), sum(hours_even_week), sum(hours_per_week_avg),
                  list(commune_code) filter (where position_replaced)
           from main.stg_outreach__places where file_name = ?""",
        [bus.name],
    )
    assert (places, odd, even, average, replaced) == (12, 25.5, 20.5, 23.0, ["16392"])
    [(from_sessions,)] = _work(
        fsw_home,
        """select sum(s.minutes * case s.weeks when 'all' then 1 else 0.5 end) / 60
           from raw.outreach_sessions s join raw.outreach_places p using (load_id, source_row)
           where p.file_name = ?""",
        [bus.name],
    )
    assert from_sessions == 23.0
    quarantined = _work(
        fsw_home,
        """select file, "row", "column", value, reason from meta.quarantine where source = 'outreach'
           order by file, "row" """,
    )
    assert quarantined == [
        (
            bus.name,
            4,
            "latitude",
            "43.451334, 5.411872",
            "coordinates 485 km from the point of commune 16392 (more than 20 km): replaced by the commune's point",
        ),
        (template.name, 4, "latitude", None, "no coordinates: the point of commune 11069 is used"),
        (template.name, 5, "commune_code", None, "place without a commune code: it cannot be located"),
        (template.name, 6, "opening_hours", "le mardi matin", "unreadable opening_hours 'le mardi matin'"),
    ]
    [(permanences, weeks, holidays_off)] = _work(
        fsw_home,
        "select count(*), list(weeks order by source_row), list(public_holidays_off order by source_row) "
        "from raw.outreach_places where file_name = ?",
        [template.name],
    )
    assert (permanences, weeks, holidays_off) == (3, ["all", "odd", "even"], [False, False, True])
    loads = _work(fsw_home, "select file_name, status, rows_loaded, rows_quarantined from meta.loads order by 1")
    assert [load for load in loads if load[0] != "quartiers_sans_code.csv"] == [
        (bus.name, "published", 12, 1),
        (template.name, "published", 3, 3),
        ("qpv2015_occitanie.csv", "published", 106, 0),
        ("qpv2015_occitanie.geojson", "published", 105, 32),
        ("qpv2024_points_par_commune.geojson", "published", 1684, 0),
    ]

    carcassonne = _work(
        fsw_home,
        """select qpv_code, qpv_name, population, has_polygon, wkt like 'POLYGON%' or wkt like 'MULTIPOLYGON%'
           from main.stg_qpv__neighbourhoods where generation = 2015 and commune_code = '11069' order by qpv_code""",
    )
    assert [row[:3] for row in carcassonne] == [
        ("QP011002", "La Conte - Ozanam", 2060),
        ("QP011003", "Le Viguier - Saint-Jacques", 1862),
        ("QP011004", "Bastide Pont-Vieux", 3775),
        ("QP011005", "Fleming La Reille", 1050),
        ("QP011006", "Grazailles", 1084),
    ]
    assert sum(row[2] for row in carcassonne) == 9831 and all(row[3] and row[4] for row in carcassonne)
    [(qpvs_2015, qpvs_2024, still_embedded)] = _work(
        fsw_home,
        """select count(distinct qpv_code) filter (where generation = 2015),
                  count(distinct qpv_code) filter (where generation = 2024), count(*) filter (where is_embedded)
           from main.stg_qpv__neighbourhoods""",
    )
    assert (qpvs_2015, qpvs_2024, still_embedded) == (105, 1493, 0)

    status = run_fsw(fsw_home, "status", demo_months=0)
    assert "quartiers_sans_code.csv: column 'code_qp': no QPV code column" in status.stdout

    # Presence inside Carcassonne's 2015 QPVs: the Viguier social centre lies in QP011003's
    # polygon; Ozanam's permanence ended in 2024 and the Grazailles one sits at the commune's
    # point, outside every polygon. The department's QPV population with a presence inside
    # counts Carcassonne's as that QPV's.
    month_end = _work(fsw_home, "select max(month_end) from main.mart_qpv_coverage")[0][0]
    present = _work(
        fsw_home,
        """select qpv_code, population, outreach_places_inside from main.mart_qpv_coverage
           where commune_code = '11069' and generation = 2015 and has_presence_inside and month_end = ?""",
        [month_end],
    )
    assert present == [("QP011003", 1862, 1)]
    [(qpv_rows, qpvs)] = _work(fsw_home, "select count(*), count(distinct qpv_key) from main.mart_qpv_coverage")
    assert qpv_rows == qpvs * len(_work(fsw_home, "select distinct month_end from main.mart_qpv_coverage"))

    # With the real 2024 listing, the bus's 12 stops link to its site, 2023, by position.
    listing = real_file("anct-france-services", "2024-08-01_liste-fs-20240801.csv")
    done = run_fsw(fsw_home, "ingest", "sites", str(listing), demo_months=0)
    assert done.returncode == 0, done.stderr
    links = _work(
        fsw_home,
        """select site_id, link_method, count(*) from main.int_outreach_place_links
           where file_name = ? group by all""",
        [bus.name],
    )
    assert links == [("2023", "nearest_mobile_site", 12)]
    # The places left without a site are listed by `fsw status`, and the QPVs say where they come from.
    status = run_fsw(fsw_home, "status", demo_months=0)
    unlinked = _work(
        fsw_home, "select count(*) from main.dim_outreach_place where is_current and link_method = 'unlinked'"
    )[0][0]
    assert unlinked > 0 and f"outreach places not linked to a site ({unlinked:,};" in status.stdout, status.stdout
    assert "Centre social Le Viguier (11069)" in status.stdout
    assert "qpv           real:" in status.stdout
