"""Publishing is atomic: a reader holding the old serving file keeps reading it."""

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
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(settings.serving_db)!r}, read_only=True)
            print(con.execute("select count(*) from dim_thing").fetchone()[0], flush=True)
            sys.stdin.readline()
            print(con.execute("select count(*) from dim_thing").fetchone()[0], flush=True)
            con.close()
            con = duckdb.connect({str(settings.serving_db)!r}, read_only=True)
            print(con.execute("select count(*) from dim_thing").fetchone()[0], flush=True)
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert reader.stdout.readline().strip() == "10"
    _work_db(settings, 25)
    result = publish_serving_db(settings, run_id="second")   # while the reader holds the old file
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
