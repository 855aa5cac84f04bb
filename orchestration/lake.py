"""The raw layer as Parquet (``FSW_HOME/lake``): what the Spark build of the dbt project reads.

DuckDB builds read the raw tables of ``work.duckdb`` directly. Spark cannot open a DuckDB
file, so before a Spark build every table the dbt sources name is written here, one folder
per table; the monthly tables get one ``month=YYYY-MM`` folder per month. Spark registers each
folder as an external table of schema ``raw`` (``macros/lake_sources.sql``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

LAKE_TABLES = (
    "activity",
    "activity_months",
    "barometer",
    "barometer_ditp",
    "barometer_ditp_revisions",
    "insee_commune_aliases",
    "insee_communes",
    "insee_departments",
    "insee_epcis",
    "outreach_places",
    "outreach_sessions",
    "qpv",
    "satisfaction",
    "satisfaction_months",
    "site_listing",
    "site_proposals",
)
"""The raw tables the dbt sources read (dbt_project/models/staging/*/_*__sources.yml)."""

MONTHLY_TABLES = {"activity": "month", "satisfaction": "month"}
"""Tables written as one folder per month: table → its month column."""

MANIFEST = "_fingerprints.json"


def _column_casts(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The select list of ``raw.<table>`` with the types Parquet or Spark cannot hold as text:
    TIME (Spark has no time type) and the NULL type of an all-empty column."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    items = []
    for name, data_type in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        if data_type in ("TIME", '"NULL"'):
            items.append(f"cast({quoted} as varchar) as {quoted}")
        else:
            items.append(quoted)
    return ", ".join(items)


def _parts(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, tuple[str, str]]:
    """Each part of a table (its month folder, or ``""`` for the whole table) → (its fingerprint,
    the filter that selects its rows): row count and the sum of row hashes."""
    month = MONTHLY_TABLES.get(table)
    if month is None:
        count, total = con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from raw.{table} as t").fetchone()
        return {"": (f"{count}:{total}", "true")}
    rows = con.execute(
        f"select strftime({month}, '%Y-%m'), count(*), sum(hash(t)) from raw.{table} as t"
        f" where {month} is not null group by 1 order by 1"
    ).fetchall()
    return {
        f"{month}={label}": (f"{count}:{total}", f"strftime({month}, '%Y-%m') = '{label}'")
        for label, count, total in rows
    }


def export_lake(work_db: Path, lake: Path) -> dict[str, int]:
    """Write every raw table of ``work_db`` the dbt sources read as Parquet under ``lake``.

    Only the parts whose rows changed since the last export are written (a fingerprint per
    table, or per month of a monthly table, in ``lake/_fingerprints.json``); a month no longer
    in the table loses its folder. Each part is written beside its folder and moved into place.
    Returns the number of parts written per table (tables left as they were are absent).
    """
    lake.mkdir(parents=True, exist_ok=True)
    manifest_path = lake / MANIFEST
    previous = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    fingerprints: dict[str, dict[str, str]] = {}
    written: dict[str, int] = {}
    with duckdb.connect(str(work_db), read_only=True) as con:
        present = {
            name
            for (name,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        } | {
            name for (name,) in con.execute("select view_name from duckdb_views() where schema_name = 'raw'").fetchall()
        }
        for table in LAKE_TABLES:
            if table not in present:  # a source never loaded on this home: nothing to read yet
                continue
            parts = _parts(con, table)
            seen = previous.get(table, {})
            select = _column_casts(con, table)
            folder = lake / table
            for part, (fingerprint, where) in parts.items():
                target = folder / part if part else folder
                if seen.get(part) == fingerprint and target.exists():
                    continue
                fresh = target.with_name(target.name + ".new")
                shutil.rmtree(fresh, ignore_errors=True)
                fresh.mkdir(parents=True)
                escaped = str(fresh / "part-0.parquet").replace("'", "''")
                con.execute(f"copy (select {select} from raw.{table} where {where}) to '{escaped}' (format parquet)")
                if target.exists():
                    shutil.rmtree(target)
                os.replace(fresh, target)
                written[table] = written.get(table, 0) + 1
            for part in set(seen) - set(parts):
                shutil.rmtree(folder / part, ignore_errors=True)
            if not parts:  # an empty monthly table: one empty file keeps its columns readable
                folder.mkdir(parents=True, exist_ok=True)
                empty = str(folder / "empty.parquet").replace("'", "''")
                con.execute(f"copy (select {select} from raw.{table} limit 0) to '{empty}' (format parquet)")
            elif (folder / "empty.parquet").exists():
                (folder / "empty.parquet").unlink()
            fingerprints[table] = {part: fingerprint for part, (fingerprint, _) in parts.items()}
    manifest_path.write_text(json.dumps(fingerprints, indent=1, sort_keys=True), encoding="utf-8")
    return written
