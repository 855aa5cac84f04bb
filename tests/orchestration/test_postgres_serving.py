"""PostgreSQL serving on a real local server: copy, row-level security, swap, failures, logins.

The serving DB here is a small hand-made DuckDB file with the shapes of the marts (a region
column, sites, territorial levels, a ledger, values that CSV could mangle), so each publish
takes a fraction of a second; `test_cli_postgres.py` runs the same path through `fsw`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from orchestration.config import Settings
from orchestration.postgres.access import NATIONAL_ROLE, region_role
from orchestration.postgres.cli import grant_reader
from orchestration.postgres.publish import publish_postgres
from orchestration.postgres.server import find_binaries, local_server_state, start_local_server, stop_local_server

try:
    find_binaries()
except Exception as error:  # noqa: BLE001 - the reason is the skip message
    pytest.skip(f"no PostgreSQL binaries here: {error}", allow_module_level=True)

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A local server in a home of its own, stopped at the end; (settings, admin DSN)."""
    home = tmp_path_factory.mktemp("pg") / "home"
    (home / "serving").mkdir(parents=True)
    settings = Settings(home=home)
    dsn, _ = start_local_server(settings)
    yield settings, dsn
    stop_local_server(settings)


def write_serving(settings: Settings, *, requests: int = 10, run_id: str = "run-1", extra_sql: str = "") -> None:
    """A serving DB with the shapes RLS cares about; ``requests`` on every fact row."""
    path = settings.serving_db
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute(f"""
        create table dim_commune as select * from (values
            ('34172', 'Montpellier', '34', '76'), ('31555', 'Toulouse', '31', '76'), ('75056', 'Paris', '75', '11')
        ) t(commune_code, commune_name, department_code, region_code);
        create table dim_site as select * from (values
            ('k1', 's1', '34172', '34', '76'), ('k2', 's2', '31555', '31', '76'), ('k3', 's3', '75056', '75', '11')
        ) t(site_key, site_id, commune_code, department_code, region_code);
        create table fct_demand as
            select site_key, site_id, (date '2026-01-01' + to_months(m))::date as month_start, {requests}::bigint as requests
            from dim_site, range(3) r(m);
        create table fct_coverage as select commune_code, 12.5::double as travel_minutes from dim_commune;
        create table mart_territory_monthly as select * from (values
            ('national', 'FR', null, null, 300), ('region', '76', '76', null, 200), ('region', '11', '11', null, 100),
            ('department', '34', '76', '34', 120), ('department', '75', '11', '75', 100)
        ) t(territory_level, territory_code, region_code, department_code, requests);
        create table dim_partner as select * from (values ('CAF', 'Caisse d''allocations familiales')) t(partner_code, partner_name);
        create table mart_network_growth as select date '2026-01-31' as month_end, 2538 as sites_open;
        create table fsw_loads as select 'l1' as load_id, 'activity' as source;
        create table fsw_quarantine as select 'l1' as load_id, 'bad date' as reason;
        create table fsw_publication as select now() as published_at, '{run_id}' as run_id;
        create table dim_odd as select
            '' as empty_text, null::varchar as null_text, 'a "quoted"; line
break' as tricky_text, [1, 2, 3] as a_list, 12.345::decimal(9, 3) as a_decimal,
            timestamptz '2026-03-29 01:30:00+00' as a_moment, true as a_flag, 170141183460469231731687303715884105727::hugeint as huge,
            'Saint-Étienne – œuvre' as accents;
        comment on table dim_site is 'One row per France Services site version.';
        comment on column dim_site.region_code is 'INSEE region code of the site''s commune.';
        {extra_sql}
    """)
    con.close()


def reader(dsn: str, user: str, **kwargs) -> psycopg.Connection:
    base = " ".join(part for part in dsn.split() if not part.startswith(("user=", "passfile=")))
    return psycopg.connect(f"{base} user={user} password='{PASSWORD}'", **kwargs)


@pytest.fixture(scope="module")
def published(server):
    """The server with the hand-made serving DB published and two logins."""
    settings, dsn = server
    write_serving(settings)
    result = publish_postgres(settings, dsn, run_id="run-1")
    grant_reader(settings, "national", "nat_reader", PASSWORD)
    grant_reader(settings, "region:76", "occitanie", PASSWORD)
    return settings, dsn, result


def test_every_table_copied_with_its_rows_and_descriptions(published):
    settings, dsn, result = published
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    expected = {
        name: con.execute(f'select count(*) from "{name}"').fetchone()[0]
        for (name,) in con.execute("show tables").fetchall()
    }
    con.close()
    assert result.tables == expected
    with reader(dsn, "nat_reader") as pg:
        counts = {name: pg.execute(f"select count(*) from {name}").fetchone()[0] for name in expected}
        assert counts == expected
        comments = pg.execute(
            "select obj_description('fsw.dim_site'::regclass), col_description('fsw.dim_site'::regclass, 5)"
        ).fetchone()
        assert comments == ("One row per France Services site version.", "INSEE region code of the site's commune.")


def test_values_survive_the_copy(published):
    _, dsn, _ = published
    with reader(dsn, "nat_reader") as pg:
        row = pg.execute("select * from dim_odd").fetchone()
    empty, null, tricky, a_list, a_decimal, moment, flag, huge, accents = row
    assert empty == "" and null is None  # an empty text stays empty, a NULL stays NULL
    assert tricky == 'a "quoted"; line\nbreak'
    assert a_list == [1, 2, 3] and str(a_decimal) == "12.345" and flag is True
    assert moment.isoformat() == "2026-03-29T01:30:00+00:00"
    assert huge == 170141183460469231731687303715884105727 and accents == "Saint-Étienne – œuvre"


def test_a_regional_reader_sees_its_region_and_the_national_totals(published):
    _, dsn, _ = published
    with reader(dsn, "occitanie") as pg:
        assert pg.execute("select distinct region_code from dim_site").fetchall() == [("76",)]
        assert pg.execute("select count(*), sum(requests) from fct_demand").fetchone() == (
            6,
            60,
        )  # its 2 sites x 3 months
        assert sorted(pg.execute("select territory_level, territory_code from mart_territory_monthly").fetchall()) == [
            ("department", "34"),
            ("national", "FR"),
            ("region", "76"),
        ]
        assert pg.execute("select count(*) from fct_coverage").fetchone() == (2,)  # through its communes
        # Tables without a territory stay whole.
        assert pg.execute("select count(*) from dim_partner").fetchone() == (1,)
        assert pg.execute("select count(*) from mart_network_growth").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            pg.execute("select count(*) from fsw_quarantine")  # raw rows of every region's files


@pytest.mark.parametrize(
    "statement",
    [
        "insert into dim_partner values ('X', 'x')",
        "update dim_site set site_id = 'x'",
        "delete from fct_demand",
        "create table fsw.mine (a int)",
        "create table public.mine (a int)",
        "create temporary table mine (a int)",
        "create schema mine",
        "truncate dim_partner",
    ],
)
def test_no_reader_can_write_even_in_a_read_write_transaction(published, statement):
    _, dsn, _ = published
    for user in ("nat_reader", "occitanie"):
        with reader(dsn, user) as pg:
            pg.execute("set default_transaction_read_only = off")
            pg.execute("set transaction read write")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                pg.execute(statement)


def test_an_open_connection_sees_the_new_data_after_the_swap(server):
    settings, dsn = server
    write_serving(settings, requests=10, run_id="before")
    publish_postgres(settings, dsn)
    grant_reader(settings, "national", "nat_reader", PASSWORD)
    errors, seen = [], []
    stop = threading.Event()

    def loop() -> None:
        # prepare_threshold=0: every query is a prepared statement, the case a cached plan
        # could pin to the old tables.
        with reader(dsn, "nat_reader", autocommit=True, prepare_threshold=0) as pg:
            while not stop.is_set():
                try:
                    seen.append(pg.execute("select sum(requests) from fct_demand").fetchone()[0])
                except psycopg.Error as error:
                    errors.append(error)
                time.sleep(0.005)

    with reader(dsn, "nat_reader", autocommit=True, prepare_threshold=0) as held:
        assert held.execute("select sum(requests) from fct_demand").fetchone()[0] == 90
        thread = threading.Thread(target=loop)
        thread.start()
        try:
            write_serving(settings, requests=20, run_id="after")
            result = publish_postgres(settings, dsn)
            # The held connection, without reconnecting: the new rows at its next query.
            assert held.execute("select sum(requests) from fct_demand").fetchone()[0] == 180
            assert held.execute("select run_id from fsw_publication").fetchone()[0] == "after"
        finally:
            stop.set()
            thread.join()
    assert errors == []
    assert set(seen) <= {90, 180} and seen[-1] == 180  # the old or the new, never a mix
    assert result.old_schema_dropped
    with psycopg.connect(dsn) as pg:
        assert pg.execute("select nspname from pg_namespace where nspname like 'fsw%' order by 1").fetchall() == [
            ("fsw",)
        ]


def test_a_failed_copy_leaves_the_previous_data_serving(server):
    settings, dsn = server
    write_serving(settings, requests=10, run_id="good")
    publish_postgres(settings, dsn)
    # A NUL character: DuckDB keeps it, PostgreSQL text refuses it, mid-copy.
    write_serving(
        settings, requests=99, run_id="bad", extra_sql="create table zz_bad as select 'a' || chr(0) || 'b' as t;"
    )
    with pytest.raises(psycopg.Error):
        publish_postgres(settings, dsn)
    with psycopg.connect(dsn) as pg:
        assert pg.execute("select run_id from fsw.fsw_publication").fetchone()[0] == "good"
        assert pg.execute("select sum(requests) from fsw.fct_demand").fetchone()[0] == 90
        assert pg.execute("select count(*) from pg_namespace where nspname like 'fsw_load_%'").fetchone()[0] == 0


def test_logins_are_created_moved_and_refused(published):
    settings, dsn, _ = published
    assert (
        grant_reader(settings, "region:11", "mover", PASSWORD) == "login mover created: member of fsw_reader_region_11"
    )
    assert (
        grant_reader(settings, "region:76", "mover", PASSWORD) == "login mover updated: member of fsw_reader_region_76"
    )
    with psycopg.connect(dsn) as pg:
        roles = pg.execute(
            "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid "
            "join pg_roles u on u.oid = m.member where u.rolname = 'mover'"
        ).fetchall()
        assert roles == [(region_role("76"),)]  # moved, not added
    with reader(dsn, "mover") as pg:
        assert pg.execute("select distinct region_code from dim_site").fetchall() == [("76",)]
    from ingestion.errors import InputError

    for grant, user, password, message in [
        ("region:76", "Robert'); drop table x; --", PASSWORD, "invalid user name"),
        ("region:76", "fsw_admin", PASSWORD, "the warehouse's"),
        ("region:7", "someone", PASSWORD, "invalid grant"),
        ("region:99", "someone", PASSWORD, "no role fsw_reader_region_99"),
        ("national", "someone", "", "FSW_PG_PASSWORD is empty"),
    ]:
        with pytest.raises(InputError, match=message.replace("(", r"\(")):
            grant_reader(settings, grant, user, password)
    # Only the hash reached the server: the clear password is in no log.
    log = (settings.home / "postgres" / "server.log").read_text(encoding="utf-8")
    assert PASSWORD not in log
    with psycopg.connect(dsn) as pg:
        assert pg.execute(
            "select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = 'mover'"
        ).fetchone()[0]
        assert pg.execute("select count(*) from pg_roles where rolname = %s", [NATIONAL_ROLE]).fetchone()[0] == 1


def test_the_server_stops_and_comes_back_on_its_port(tmp_path: Path):
    settings = Settings(home=tmp_path / "home")
    dsn, line = start_local_server(settings)
    assert "created and started on 127.0.0.1:" in line
    assert "passfile=" in dsn and "password" not in dsn.replace("passfile", "")
    assert (settings.home / "postgres" / "pgpass").stat().st_mode & 0o077 == 0
    assert start_local_server(settings)[1].startswith("PostgreSQL already running")
    assert stop_local_server(settings).startswith("PostgreSQL stopped")
    assert local_server_state(settings) == "stopped"
    assert stop_local_server(settings) == "PostgreSQL was not running"
    again, line = start_local_server(settings)
    assert again == dsn and " started on " in line  # same port: BI connection strings stay valid
    stop_local_server(settings)


def test_unchanged_months_are_copied_inside_postgres_and_changed_ones_sent_again(server):
    settings, dsn = server
    write_serving(settings, requests=10)
    publish_postgres(settings, dsn)
    # One month of the facts changes: the two others are kept from the served table.
    write_serving(
        settings, requests=10, extra_sql="update fct_demand set requests = 50 where month_start = '2026-03-01';"
    )
    result = publish_postgres(settings, dsn)
    assert result.months_kept == {"fct_demand": 2}
    with psycopg.connect(dsn) as pg:
        by_month = pg.execute(
            "select month_start::text, sum(requests) from fsw.fct_demand group by 1 order by 1"
        ).fetchall()
    assert by_month == [("2026-01-01", 30), ("2026-02-01", 30), ("2026-03-01", 150)]
    # Another column: nothing is reused (the served rows have another shape).
    write_serving(settings, requests=10, extra_sql="alter table fct_demand add column channel varchar default 'visio';")
    result = publish_postgres(settings, dsn)
    assert result.months_kept == {}
    with psycopg.connect(dsn) as pg:
        assert pg.execute("select count(*), min(channel) from fsw.fct_demand").fetchone() == (9, "visio")


def test_the_target_is_the_environment_then_the_local_server_and_never_shows_a_password(tmp_path, monkeypatch):
    from orchestration.postgres.publish import postgres_target, target_name

    settings = Settings(home=tmp_path / "home")
    monkeypatch.delenv("FSW_POSTGRES_DSN", raising=False)
    assert postgres_target(settings) is None
    (settings.home / "postgres").mkdir(parents=True)
    (settings.home / "postgres" / "dsn").write_text("host=127.0.0.1 port=5499 dbname=warehouse user=fsw_admin\n")
    assert postgres_target(settings) == "host=127.0.0.1 port=5499 dbname=warehouse user=fsw_admin"
    monkeypatch.setenv("FSW_POSTGRES_DSN", "postgresql://bi_admin:s3cr3t@db.example.org:6432/fsw")
    assert postgres_target(settings) == "postgresql://bi_admin:s3cr3t@db.example.org:6432/fsw"
    assert target_name(postgres_target(settings)) == "db.example.org:6432/fsw"
