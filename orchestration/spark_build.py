"""The dbt build on Apache Spark (``FSW_ENGINE=spark``): what runs before `dbt build` there.

dbt-spark's session method runs a local Spark inside dbt's process; it reads the raw tables as
Parquet (``orchestration.lake``) and the tables computed in Python (``orchestration.defs.nearest``,
written under lake/ between the two dbt steps) as external tables (``macros/lake_sources.sql``).
Publish reads the marts back from Spark's Parquet (``spark_marts``).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.errors import InputError
from orchestration.config import Settings
from orchestration.lake import export_lake
from orchestration.nearest_tables import TABLE_SCHEMAS

COMPUTED_TABLES = tuple(TABLE_SCHEMAS)
"""The tables computed in Python between the two dbt steps (orchestration.defs.nearest), the
dbt source `computed`: on Spark, Parquet under lake/<table>."""


def model_relation(settings: Settings, name: str) -> str:
    """SQL, for a connection to the work DB, that reads the dbt model ``name`` where the engine
    of the settings built it: ``main.<name>`` of work.duckdb, or Spark's Parquet."""
    return spark_table(settings, name) if settings.engine == "spark" else f"main.{name}"


def model_built(settings: Settings, con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the engine of the settings has built the dbt model ``name`` yet."""
    if settings.engine == "spark":
        return any((settings.spark_dir / "warehouse" / "main.db" / name).rglob("*.parquet"))
    query = "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = ?"
    return con.execute(query, [name]).fetchone()[0] > 0


def spark_table(settings: Settings, name: str) -> str:
    """A ``read_parquet`` of the model ``name`` as the Spark build wrote it (schema ``main``)."""
    folder = settings.spark_dir / "warehouse" / "main.db" / name
    return f"read_parquet('{folder.as_posix()}/**/*.parquet', hive_partitioning = true)"


def write_computed_table(settings: Settings, name: str, table: pa.Table) -> None:
    """Write a computed table for the Spark build: ``lake/<name>/part-0.parquet``, beside it
    first and moved into place (a reader never sees half a file)."""
    path = settings.lake / name / "part-0.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name("part-0.parquet.new")
    pq.write_table(table, fresh)
    os.replace(fresh, path)


def write_empty_computed_tables(settings: Settings) -> None:
    """The computed tables' columns, where none was written yet: Spark registers every source
    before the first build, and a Parquet table needs a file to know its columns."""
    for name in COMPUTED_TABLES:
        if not (settings.lake / name / "part-0.parquet").exists():
            write_computed_table(settings, name, TABLE_SCHEMAS[name].empty_table())


def prepare_spark_build(
    settings: Settings, *, export: bool = True, log: Callable[[str], None] = lambda _: None
) -> list[str]:
    """What a Spark `dbt build` needs first; returns the arguments it adds to it.

    With ``export`` (the step builds staging models, which read the sources), the raw tables
    as Parquet, only what changed. The build leaves out the unit tests, written for DuckDB.
    """
    if not os.environ.get("JAVA_HOME") or importlib.util.find_spec("dbt.adapters.spark") is None:
        raise InputError("FSW_ENGINE=spark needs Java and dbt-spark: pip install 'france-services-warehouse[spark]'")
    settings.spark_dir.mkdir(parents=True, exist_ok=True)
    write_empty_computed_tables(settings)
    if export:
        written = export_lake(settings.work_db, settings.lake)
        log(f"lake: {sum(written.values())} table parts written ({', '.join(sorted(written)) or 'none changed'})")
    return ["--target", settings.dbt_target, "--exclude-resource-type", "unit_test"]


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
