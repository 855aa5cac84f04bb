"""`fsw serve postgres` then runs and ingests, as a user does: what BI logins see, live swaps,
a stopped server."""

from __future__ import annotations

import re
import threading
import time

import duckdb
import psycopg
import pytest

from orchestration.postgres.server import find_binaries
from tests.conftest import last_line, run_fsw

pytestmark = pytest.mark.slow

try:
    find_binaries()
except Exception as error:  # noqa: BLE001 - the reason is the skip message
    pytest.skip(f"no PostgreSQL binaries here: {error}", allow_module_level=True)

PASSWORD = "une phrase de passe assez longue"
HEADER = "Matricule;Date;Partenaire;Thématique;Canal;Nombre de demandes;Dont résolues au premier contact\r\n"


def _serving(home, sql, params=()):
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _login(dsn: str, user: str, **kwargs) -> psycopg.Connection:
    base = " ".join(part for part in dsn.split() if not part.startswith(("user=", "passfile=")))
    return psycopg.connect(f"{base} user={user} password='{PASSWORD}'", **kwargs)


def _activity_file(path, site_id: str, day: str, requests: int):
    path.write_bytes(
        (HEADER + f"{site_id};{day};CAF;Prestations familiales;Accueil physique;{requests};1\r\n").encode("cp1252")
    )
    return path


def test_postgres_serving_end_to_end(fsw_home, tmp_path, monkeypatch):
    started = run_fsw(fsw_home, "serve", "postgres")
    assert started.returncode == 0, started.stderr
    assert "no serving DB yet" in started.stderr
    dsn = started.stdout.strip()
    try:
        _serve_and_check(fsw_home, tmp_path, monkeypatch, dsn)
    finally:
        run_fsw(fsw_home, "serve", "postgres", "--stop")


def _serve_and_check(home, tmp_path, monkeypatch, dsn):
    done = run_fsw(home, "run")
    assert done.returncode == 0, done.stderr
    assert "PostgreSQL 127.0.0.1:" in done.stderr and "schema fsw" in done.stderr

    monkeypatch.setenv("FSW_PG_PASSWORD", PASSWORD)
    for grant, user in [("national", "dt_national"), ("region:76", "dt_occitanie")]:
        granted = run_fsw(home, "serve", "postgres", "--grant", grant, "--user", user)
        assert granted.returncode == 0, granted.stderr
    monkeypatch.delenv("FSW_PG_PASSWORD")

    # The national reader counts what the DuckDB serving file holds, table by table.
    tables = [name for (name,) in _serving(home, "show tables")]
    expected = {name: _serving(home, f'select count(*) from "{name}"')[0][0] for name in tables}
    with _login(dsn, "dt_national") as pg:
        assert {name: pg.execute(f"select count(*) from {name}").fetchone()[0] for name in tables} == expected

    # Region 76 sees its region only, plus the national totals; it cannot write.
    [(sites_76,)] = _serving(home, "select count(*) from dim_site where region_code = '76'")
    [(demand_76,)] = _serving(
        home, "select count(*) from fct_demand f join dim_site s using (site_key) where s.region_code = '76'"
    )
    [(national_rows,)] = _serving(
        home, "select count(*) from mart_territory_monthly where territory_level = 'national'"
    )
    with _login(dsn, "dt_occitanie") as pg:
        assert pg.execute("select count(*), min(region_code), max(region_code) from dim_site").fetchone() == (
            sites_76,
            "76",
            "76",
        )
        assert pg.execute("select count(*) from fct_demand").fetchone()[0] == demand_76 > 0
        levels = dict(
            pg.execute(
                "select region_code = '76' or territory_level = 'national', count(*) from mart_territory_monthly group by 1"
            ).fetchall()
        )
        assert set(levels) == {True}
        assert (
            pg.execute("select count(*) from mart_territory_monthly where territory_level = 'national'").fetchone()[0]
            == national_rows
            > 0
        )
        for statement in [
            "insert into dim_partner (partner_code) values ('X')",
            "update dim_site set site_name = 'x'",
            "delete from fct_demand",
            "create table mine (a int)",
        ]:
            with pytest.raises(psycopg.Error):
                pg.execute(statement)
            pg.rollback()

    # A reader holds its connection and queries in a loop while `fsw ingest` publishes.
    [(site_id, month)] = _serving(
        home,
        "select s.site_id, max(f.month_start) from fct_demand f join dim_site s using (site_key) "
        "where s.is_current group by 1 order by 1 limit 1",
    )
    errors, seen, stop = [], [], threading.Event()

    def loop() -> None:
        with _login(dsn, "dt_national", autocommit=True) as pg:
            while not stop.is_set():
                try:
                    seen.append(pg.execute("select run_id from fsw_publication").fetchone()[0])
                    pg.execute("select count(*), sum(requests) from fct_demand").fetchone()
                except psycopg.Error as error:
                    errors.append(error)
                time.sleep(0.02)

    with _login(dsn, "dt_national", autocommit=True) as held:
        before = held.execute("select run_id from fsw_publication").fetchone()[0]
        thread = threading.Thread(target=loop)
        thread.start()
        try:
            export = _activity_file(tmp_path / "activite.csv", site_id, f"{month:%d/%m/%Y}", 4321)
            ingested = run_fsw(home, "ingest", "activity", str(export))
            assert ingested.returncode == 0, ingested.stderr
        finally:
            stop.set()
            thread.join()
        [(new_run,)] = _serving(home, "select run_id from fsw_publication")
        assert new_run != before
        assert held.execute("select run_id from fsw_publication").fetchone()[0] == new_run
        assert (
            held.execute("select sum(requests) from fct_demand").fetchone()[0] == 4321
        )  # the real file replaced the demo
    assert errors == [] and seen[0] == before and seen[-1] == new_run

    # The server stopped, a publish fails in one line (`fsw plan`: the shortest run that
    # publishes); DuckDB's serving file is still published.
    assert run_fsw(home, "serve", "postgres", "--stop").returncode == 0
    failed = run_fsw(home, "plan", "--sites", "2")
    assert failed.returncode == 1
    assert last_line(failed.stderr).startswith("fsw: error: PostgreSQL serving not updated (127.0.0.1:")
    assert "Traceback" not in failed.stderr
    assert _serving(home, "select count(*) from mart_site_proposals") == [(2,)]
    status = run_fsw(home, "status").stdout
    assert "postgres: local server stopped" in status

    # Back up: the previous PostgreSQL data still serve, and the user is told how to catch up.
    restarted = run_fsw(home, "serve", "postgres")
    assert restarted.returncode == 0, restarted.stderr
    assert f"PostgreSQL serves run {new_run}" in restarted.stderr and "--refresh" in restarted.stderr
    with _login(dsn, "dt_national") as pg:
        assert pg.execute("select run_id from fsw_publication").fetchone()[0] == new_run
        assert pg.execute("select count(*) from mart_site_proposals").fetchone()[0] == 0
    refreshed = run_fsw(home, "serve", "postgres", "--refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert re.search(rf"published {len(tables)} tables \(", refreshed.stderr), refreshed.stderr
    with _login(dsn, "dt_national") as pg:
        assert pg.execute("select count(*) from mart_site_proposals").fetchone()[0] == 2
