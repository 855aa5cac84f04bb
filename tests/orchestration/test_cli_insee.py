"""End to end through the `fsw` CLI, Dagster, GX and dbt on a temporary FSW_HOME."""

import hashlib

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, last_line, real_file, run_fsw
from tests.fixtures.make_insee import POPULATION_ROWS, write_populations

pytestmark = pytest.mark.slow


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _query(home, sql):
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_run_on_empty_home_then_bad_file_leaves_serving_unchanged(fsw_home, tmp_path):
    done = run_fsw(fsw_home, "run", demo_months=0)
    assert done.returncode == 0, done.stderr
    [(communes, overseas, dates)] = _query(
        fsw_home,
        "select (select count(*) from dim_commune), "
        "(select count(*) from dim_commune where department_code like '97%'), (select count(*) from dim_date)",
    )
    assert 34_800 < communes < 35_100 and overseas > 100 and dates == 4_383
    assert (fsw_home / "dagster" / "dagster.yaml").read_text().startswith("telemetry:\n  enabled: false")
    # dbt ran in the home (its DuckDB path is relative), nowhere else, and started from the
    # project's partial-parse state instead of parsing the whole project again.
    assert (fsw_home / "work.duckdb").exists()
    assert not (PROJECT_ROOT / "work.duckdb").exists()  # the CLI's working directory
    assert not list((PROJECT_ROOT / "dbt_project").rglob("*.duckdb"))
    dbt_log = (fsw_home / "dbt" / "target" / "dbt.log").read_text(encoding="utf-8")
    assert '"name": "PartialParsingEnabled"' in dbt_log and "UnableToPartialParse" not in dbt_log
    before = _sha(fsw_home / "serving" / "warehouse.duckdb")

    rows = [list(r) for r in POPULATION_ROWS]
    rows[3][7] = "n/a"
    bad = write_populations(tmp_path / "ensemble_bad.xlsx", rows=rows)
    done = run_fsw(fsw_home, "ingest", "insee", str(bad), demo_months=0)
    assert done.returncode == 1
    assert last_line(done.stderr) == (
        "fsw: error: ensemble_bad.xlsx: sheet 'Communes', row 12, "
        "column 'Population municipale': expected a whole number, found 'n/a'"
    )
    assert "Traceback" not in done.stderr
    assert _sha(fsw_home / "serving" / "warehouse.duckdb") == before
    landed = list((fsw_home / "landing" / "insee").glob("*/ensemble_bad.xlsx"))
    assert len(landed) == 1 and landed[0].read_bytes() == bad.read_bytes()
    manifest = (landed[0].parent / "manifest.json").read_text()
    assert hashlib.sha256(bad.read_bytes()).hexdigest() in manifest

    # The failed load is not retried: the next run publishes the previous state again.
    done = run_fsw(fsw_home, "run", demo_months=0)
    assert done.returncode == 0, done.stderr
    status = run_fsw(fsw_home, "status", demo_months=0)
    assert "insee" in status.stdout and "embedded snapshot" in status.stdout


def test_ingest_real_insee_files(fsw_home):
    populations = real_file("insee", "2025", "ensemble.xlsx")
    epci = real_file("insee", "2025", "EPCI_au_01-01-2024.xlsx")
    done = run_fsw(fsw_home, "ingest", "insee", str(populations), str(epci), demo_months=0)
    assert done.returncode == 0, done.stderr
    [(from_file, total, years, missing_epci)] = _query(
        fsw_home,
        "select count(*) filter (where population_source = 'insee legal populations'), sum(population), "
        "list(distinct population_year) filter (where population is not null), "
        "count(*) filter (where epci_code is null and department_code not in ('975', '977', '978')) from dim_commune",
    )
    assert from_file == 34_964 and total == 67_808_450 and years == [2022] and missing_epci == 0
    [(arrondissements_without_city_epci,)] = _query(
        fsw_home,
        "select count(*) from dim_commune a join dim_commune c on a.parent_commune_code = c.commune_code "
        "where a.commune_type = 'ARM' and a.epci_code is distinct from c.epci_code",
    )
    assert arrondissements_without_city_epci == 0


INSEE_FIXTURES = PROJECT_ROOT / "tests" / "ingestion" / "insee" / "fixtures"


def test_ingest_donnees_communes_csv_needs_year_and_counts_cities_once(fsw_home, tmp_path):
    """`donnees_communes.csv` (older header, cp1252, city rows beside their arrondissements)
    and a COG copy that lost its leading zeros, loaded together with --year 2021."""
    csv_file = tmp_path / "donnees_communes.csv"
    csv_file.write_bytes((INSEE_FIXTURES / "donnees_communes_codcom.csv").read_bytes())
    cog_file = tmp_path / "v_commune_2024.csv"
    cog_file.write_bytes((INSEE_FIXTURES / "v_commune_2024_stripped.csv").read_bytes())

    done = run_fsw(fsw_home, "ingest", "insee", str(csv_file), demo_months=0)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    line = last_line(done.stderr)
    assert line.startswith(
        "fsw: error: donnees_communes.csv: the file does not say its census vintage: give --year YYYY (kept in landing/insee/"
    ), done.stderr
    assert not (fsw_home / "serving" / "warehouse.duckdb").exists()

    done = run_fsw(fsw_home, "ingest", "insee", str(csv_file), str(cog_file), "--year", "2021", demo_months=0)
    assert done.returncode == 0, done.stderr
    [(total, years, sources, cities, paris_1, abergement)] = _query(
        fsw_home,
        "select sum(population), list(distinct population_year) filter (where population is not null), "
        "count(*) filter (where population_source = 'insee legal populations'), "
        "count(*) filter (where commune_code in ('75056', '69123', '13055') and population is null), "
        "max(population) filter (where commune_code = '75101'), "
        "max(commune_name) filter (where commune_code = '01001') from dim_commune",
    )
    assert total == 287_962 and years == [2021] and sources == 10 and cities == 3
    assert paris_1 == 15_917 and abergement == "L'Abergement-Clémenciat"
    assert (
        "warning: raw/insee_reference:insee_file_notes: donnees_communes.csv: row 4: 69123 Lyon (58,495 "
        "inhabitants): city row replaced by its arrondissements (2 in the file), not counted twice"
    ) in done.stderr
    assert "v_commune_2024.csv: codes that had lost their leading zeros (a spreadsheet copy?) repaired" in done.stderr
    [(notes,)] = _query(
        fsw_home,
        "select list(value order by \"row\") from fsw_quarantine where reason = 'city row replaced by its arrondissements'",
    )
    assert notes == ["69123", "75056", "13055"]
    manifests = [p.read_text() for p in (fsw_home / "landing" / "insee").glob("*/manifest.json")]
    assert sum('"year": 2021' in m and "donnees_communes.csv" in m for m in manifests) == 1
