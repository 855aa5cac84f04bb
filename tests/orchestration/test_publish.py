"""Publishing is atomic: a reader holding the old serving file keeps reading it."""

import json
import subprocess
import sys
import textwrap

import duckdb

from orchestration.config import Settings
from orchestration.publish import publish_serving_db


def _work_db(settings: Settings, rows: int) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.work_db))
    con.execute("create schema if not exists meta")
    con.execute("create or replace table meta.loads (load_id varchar)")
    con.execute("create or replace table meta.quarantine (load_id varchar)")
    con.execute(f"create or replace table main.dim_thing as select range as id from range({rows})")
    con.execute("create or replace table main.stg_hidden as select 1 as x")
    con.execute("comment on table main.dim_thing is 'One row per thing.'")
    con.close()


def test_reader_holding_old_file_keeps_reading_while_new_one_is_published(tmp_path):
    settings = Settings(home=tmp_path / "home")
    _work_db(settings, 10)
    publish_serving_db(settings, run_id="first")

    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(settings.serving_db)!r}, read_only=True)
            print(con.execute("select count(*) from dim_thing").fetchone()[0], flush=True)
            sys.stdin.readline()
            print(con.execute("select count(*) from dim_thing").fetchone()[0], flush=True)
            con.close()
            con = duckdb.connect({str(settings.serving_db)!r}, read_only=True)
            print(con.execute("select count(*) from dim_thing").fetchone()[0], flush=True)
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "10"
    _work_db(settings, 25)
    result = publish_serving_db(settings, run_id="second")  # while the reader holds the old file
    reader.stdin.write("\n")
    reader.stdin.flush()
    out, _ = reader.communicate(timeout=30)
    assert out.split() == ["10", "25"]  # old connection: old data; new connection: new data
    assert reader.returncode == 0
    assert result["tables"]["dim_thing"] == 25
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    comment = con.execute("select comment from duckdb_tables() where table_name = 'dim_thing'").fetchone()[0]
    con.close()
    assert tables == {"dim_thing", "fsw_loads", "fsw_quarantine", "fsw_publication"}
    assert comment == "One row per thing."
    assert not list(settings.serving_dir.glob(".warehouse.*"))


def _facts(settings: Settings, sql: str) -> None:
    con = duckdb.connect(str(settings.work_db))
    con.execute(sql)
    con.close()


def _serving(settings: Settings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_new_month_publishes_only_that_month_and_the_same_data_as_a_full_copy(tmp_path):
    settings = Settings(home=tmp_path / "home")
    _work_db(settings, 10)
    _facts(
        settings,
        """create table main.fct_visits as
        select date '2025-01-01' + to_months(range % 3) as month_start, range as visits from range(3000)""",
    )
    _facts(settings, "create table main.mart_old as select 1 as x")
    first = publish_serving_db(settings, run_id="first")
    assert first["months_copied"] == {} and first["written_anew"]  # nothing to start from

    # one month corrected, one added, a mart dropped, a dimension's columns changed
    _facts(settings, "update main.fct_visits set visits = visits + 1 where month_start = date '2025-02-01'")
    _facts(settings, "insert into main.fct_visits select date '2025-04-01', range from range(500)")
    _facts(settings, "drop table main.mart_old")
    _facts(settings, "alter table main.dim_thing add column label varchar default 'x'")
    second = publish_serving_db(settings, run_id="second")
    assert second["months_copied"] == {"fct_visits": 2} and not second["written_anew"]
    assert second["tables"]["fct_visits"] == 3500

    fresh = Settings(home=tmp_path / "fresh")
    fresh.home.mkdir()
    fresh.work_db.write_bytes(settings.work_db.read_bytes())
    publish_serving_db(fresh, run_id="second")
    for table in ("fct_visits", "dim_thing"):
        query = f"select * from {table} order by all"
        assert _serving(settings, query) == _serving(fresh, query)
    tables = {name for (name,) in _serving(settings, "select table_name from duckdb_tables()")}
    assert tables == {"dim_thing", "fct_visits", "fsw_loads", "fsw_quarantine", "fsw_publication"}
    assert _serving(settings, "select run_id from fsw_publication") == [("second",)]
    assert _serving(settings, "select comment from duckdb_tables() where table_name = 'dim_thing'") == [
        ("One row per thing.",)
    ]


def test_a_published_file_with_too_much_free_space_is_written_anew(tmp_path):
    settings = Settings(home=tmp_path / "home")
    _work_db(settings, 10)
    _facts(
        settings, "create table main.fct_small as select date '2025-01-01' as month_start, range as v from range(1000)"
    )
    _facts(settings, "create table main.mart_big as select random() as noise from range(2000000)")
    publish_serving_db(settings, run_id="first")
    _facts(settings, "drop table main.mart_big")
    second = publish_serving_db(settings, run_id="second")  # the copy keeps mart_big's blocks, free
    assert second["months_copied"] == {"fct_small": 0}
    [(total, free)] = _serving(settings, "select total_blocks, free_blocks from pragma_database_size()")
    assert free > 0.3 * total

    third = publish_serving_db(settings, run_id="third")
    assert third["months_copied"] == {} and third["written_anew"]  # every table copied
    [(total, free)] = _serving(settings, "select total_blocks, free_blocks from pragma_database_size()")
    assert free <= 0.3 * total
    assert _serving(settings, "select count(*), sum(v) from fct_small") == [(1000, sum(range(1000)))]


def test_a_published_file_grown_well_beyond_its_last_compact_size_is_written_anew(tmp_path):
    settings = Settings(home=tmp_path / "home")
    _work_db(settings, 10)
    _facts(
        settings,
        "create table main.fct_noise as select date '2025-01-01' + to_months(range % 12) as month_start, "
        "random() as v from range(600000)",
    )
    record = settings.home / ".publish" / "written_anew.json"
    assert publish_serving_db(settings, run_id="first")["written_anew"]
    compact = settings.serving_db.stat().st_size
    assert json.loads(record.read_text()) == {"bytes": compact}
    _facts(settings, "update main.fct_noise set v = random() where month_start = date '2025-03-01'")
    assert not publish_serving_db(settings, run_id="second")["written_anew"]
    # as if replaced months had made the file 1.5 times bigger than when it was last compact
    record.write_text(json.dumps({"bytes": int(settings.serving_db.stat().st_size / 1.6)}))
    assert publish_serving_db(settings, run_id="third")["written_anew"]
    assert json.loads(record.read_text()) == {"bytes": settings.serving_db.stat().st_size}
    # a lost record costs one publish written anew
    record.unlink()
    assert publish_serving_db(settings, run_id="fourth")["written_anew"]
    assert _serving(settings, "select count(*), count(distinct month_start) from fct_noise") == [(600000, 12)]
