"""The serving file is readable by DuckDB 1.x drivers and, as the README connects, reads only itself."""

import subprocess
import sys
import textwrap

import duckdb
import pytest

from orchestration.config import Settings
from orchestration.publish import publish_serving_db

OLD_DUCKDB = "1.1.3"  # the oldest driver line the README promises (Superset's duckdb-engine, JDBC 1.x)


def _publish(tmp_path) -> Settings:
    settings = Settings(home=tmp_path / "home")
    settings.home.mkdir(parents=True)
    con = duckdb.connect(str(settings.work_db))
    con.execute("create schema meta")
    con.execute("create table meta.loads (load_id varchar)")
    con.execute("create table meta.quarantine (load_id varchar)")
    # The column types the marts use: text, integers, doubles, dates, timestamps with zone, booleans.
    con.execute(
        """create table main.mart_things as
           select range as id, 'commune ' || range as name, range * 1.5 as share,
                  date '2024-01-01' + range::int as month_start, range % 2 = 0 as within_30_min,
                  timestamptz '2024-01-01 00:00:00+00' as published_at
           from range(1000)"""
    )
    con.execute("comment on table main.mart_things is 'One row per thing.'")
    con.close()
    publish_serving_db(settings, run_id="first")
    return settings


def test_the_serving_file_opens_with_a_duckdb_1_1_driver(tmp_path):
    settings = _publish(tmp_path)
    target = tmp_path / "duckdb-old"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            f"duckdb=={OLD_DUCKDB}",
        ],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        pytest.skip(f"duckdb {OLD_DUCKDB} could not be installed from the package index: {installed.stderr[-300:]}")
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(target)!r})
        import duckdb
        assert duckdb.__version__ == {OLD_DUCKDB!r}, duckdb.__version__
        con = duckdb.connect({str(settings.serving_db)!r}, read_only=True)
        print(con.execute("select count(*), sum(id), max(month_start), count(*) filter (where within_30_min) "
                          "from mart_things").fetchone())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "(1000, 499500, datetime.date(2026, 9, 26), 500)"


def test_with_the_readme_settings_a_bi_connection_reads_only_the_serving_file(tmp_path):
    settings = _publish(tmp_path)
    # The README's settings: read-only, no access to other files (DuckDB's enable_external_access).
    con = duckdb.connect(str(settings.serving_db), read_only=True, config={"enable_external_access": False})
    try:
        assert con.execute("select count(*) from mart_things").fetchone() == (1000,)
        for attempt in (
            "select * from read_text('/etc/hostname')",
            f"copy (select 1) to '{tmp_path / 'leak.csv'}'",
            f"attach '{settings.work_db}' as work",
        ):
            with pytest.raises(duckdb.Error, match="disabled|Permission"):
                con.execute(attempt)
    finally:
        con.close()
    assert not (tmp_path / "leak.csv").exists()
    # The work DB is not locked by the attempt: a load can still open it for writing.
    duckdb.connect(str(settings.work_db)).close()
