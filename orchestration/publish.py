"""Write–audit–publish: copy the marts of work.duckdb into a new serving file, then swap.

The new file is written beside the old one under a hidden name and moved into place with
``os.replace``: a BI client holding the old file keeps reading it, and a crash at any point
leaves the last published file intact.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.config import Settings
from ingestion.faults import crash_point

PUBLISHED_PREFIXES = ("dim_", "fct_", "mart_")
LEDGER_TABLES = {"fsw_loads": "meta.loads", "fsw_quarantine": "meta.quarantine"}


def _quote_literal(text: str) -> str:
    # Comments come from our own dbt yml; DuckDB's COMMENT ON takes no parameters.
    return "'" + text.replace("'", "''") + "'"


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Mart tables of the attached work DB (schema main) that BI reads."""
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = 'work' "
        "and schema_name = 'main' order by table_name"
    ).fetchall()
    return [name for (name,) in rows if name.startswith(PUBLISHED_PREFIXES)]


def publish_serving_db(settings: Settings, *, run_id: str = "") -> dict:
    """Copy the marts (with their dbt descriptions) and the ledger into a new serving DB.

    Returns ``{"path", "tables": {name: rows}}``. Leftover partial files of a crashed
    publish are removed first.
    """
    serving_dir = settings.serving_dir
    serving_dir.mkdir(parents=True, exist_ok=True)
    # The new file is built outside serving/ (same filesystem, so os.replace stays atomic):
    # a crash never leaves a half-written copy where BI users look.
    staging = settings.home / ".publish"
    staging.mkdir(parents=True, exist_ok=True)
    for leftover in [*staging.glob(".warehouse.*.partial*"), *serving_dir.glob(".warehouse.*.partial*")]:
        leftover.unlink(missing_ok=True)
    partial = staging / f".warehouse.{uuid.uuid4().hex}.partial.duckdb"
    counts: dict[str, int] = {}
    con = duckdb.connect(str(partial))
    try:
        con.execute("attach ? as work (read_only)", [str(settings.work_db)])
        tables = published_tables(con)
        if not tables:
            raise RuntimeError("no marts in work.duckdb to publish")
        for table in tables:
            con.execute(f'create table main."{table}" as select * from work.main."{table}"')
            counts[table] = con.execute(f'select count(*) from main."{table}"').fetchone()[0]
        for target, source in LEDGER_TABLES.items():
            con.execute(f"create table main.{target} as select * from work.{source}")
            counts[target] = con.execute(f"select count(*) from main.{target}").fetchone()[0]
        comments = con.execute(
            "select table_name, comment from duckdb_tables() where database_name = 'work' "
            "and schema_name = 'main' and comment is not null"
        ).fetchall()
        for table, comment in comments:
            if table in counts:
                con.execute(f'comment on table main."{table}" is {_quote_literal(comment)}')
        column_comments = con.execute(
            "select table_name, column_name, comment from duckdb_columns() where database_name = 'work' "
            "and schema_name = 'main' and comment is not null"
        ).fetchall()
        for table, column, comment in column_comments:
            if table in counts:
                con.execute(f'comment on column main."{table}"."{column}" is {_quote_literal(comment)}')
        con.execute(
            "create table main.fsw_publication as select ?::timestamptz as published_at, ? as run_id, "
            "? as tables",
            [datetime.now(timezone.utc), run_id, ",".join(sorted(counts))],
        )
        con.execute("detach work")
        con.execute("checkpoint")
    except BaseException:
        con.close()
        partial.unlink(missing_ok=True)
        raise
    con.close()
    crash_point("publish")
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, settings.serving_db)
    _fsync_dir(serving_dir)
    _fsync_dir(staging)
    return {"path": str(settings.serving_db), "tables": counts}


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
