"""The work DuckDB: raw tables, the load ledger and the quarantine.

Table names come from code constants only; every value goes through parameters or a
registered DataFrame, never through string interpolation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

LEDGER_DDL = """
create schema if not exists raw;
create schema if not exists meta;
create table if not exists meta.loads (
    load_id varchar primary key, source varchar not null, kind varchar, file_name varchar not null,
    sha256 varchar not null, size_bytes bigint, as_of date, landed_at timestamptz,
    status varchar not null, reason varchar, rows_loaded bigint, rows_quarantined bigint,
    is_demo boolean default false, allow_drop boolean default false, updated_at timestamptz
);
create table if not exists raw.site_proposals (
    pick integer, scope varchar, commune_code varchar, population_newly_covered bigint,
    cumulative_population_covered bigint, share_within_30_min_after double, coverage_month date,
    planned_at timestamptz
);
create table if not exists meta.quarantine (
    load_id varchar, source varchar, file varchar, sheet varchar, "row" bigint,
    "column" varchar, value varchar, reason varchar, quarantined_at timestamptz
);
"""
QUARANTINE_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]


def _checked(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"invalid table identifier {name!r}")
    return name


MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*[A-Za-z]{1,3}")
DEFAULT_MEMORY_LIMIT = "1.5GB"
"""DuckDB's memory cap when ``FSW_DUCKDB_MEMORY_LIMIT`` is not set (also dbt's, in profiles.yml)."""


def limit_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Cap DuckDB's memory on a pipeline connection: ``FSW_DUCKDB_MEMORY_LIMIT``, which ``fsw``
    sets from its typed settings (DuckDB's default, 80 % of RAM, let the 36-month demo's
    monthly partitions reach 3.4 GB resident). Set after connecting, not as connection config:
    DuckDB refuses a second connection to a file open with another config in the process."""
    limit = (os.environ.get("FSW_DUCKDB_MEMORY_LIMIT") or "").strip()
    con.execute(f"set memory_limit = '{limit if MEMORY_LIMIT.fullmatch(limit) else DEFAULT_MEMORY_LIMIT}'")


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the work DB (creating the ledger), and always close it: dbt needs the lock next."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        limit_memory(con)
        if not read_only:
            con.execute(LEDGER_DDL)
        yield con
    finally:
        con.close()


def replace_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Replace ``schema.table`` with the rows of ``frame`` in one transaction; return the row count."""
    target = f"{_checked(schema)}.{_checked(table)}"
    con.execute(f"create schema if not exists {_checked(schema)}")
    con.register("_incoming", frame)
    try:
        con.execute("begin")
        con.execute(f"create or replace table {target} as select * from _incoming")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_incoming")
    return len(frame)


def record_loads(con: duckdb.DuckDBPyConnection, records: list[dict]) -> None:
    """Insert (or keep) landed files in the ledger, in one statement: one dict per file with
    ``landed`` (a LandedFile), ``status`` and optionally ``kind``, ``reason``, ``is_demo``,
    ``allow_drop``."""
    if not records:
        return
    now = datetime.now(UTC)
    frame = pd.DataFrame(
        [
            {
                "load_id": r["landed"].load_id,
                "source": r["landed"].source,
                "kind": r.get("kind"),
                "file_name": r["landed"].original_name,
                "sha256": r["landed"].sha256,
                "size_bytes": r["landed"].size,
                "as_of": r["landed"].as_of,
                "landed_at": r["landed"].landed_at,
                "status": r["status"],
                "reason": r.get("reason"),
                "is_demo": bool(r.get("is_demo", False)),
                "allow_drop": bool(r.get("allow_drop", False)),
                "updated_at": now,
            }
            for r in records
        ]
    )
    con.register("_new_loads", frame)
    try:
        con.execute(
            """insert into meta.loads (load_id, source, kind, file_name, sha256, size_bytes, as_of, landed_at,
                   status, reason, is_demo, allow_drop, updated_at)
               select load_id, source, kind, file_name, sha256, size_bytes, cast(as_of as date),
                   cast(landed_at as timestamptz), status, reason, is_demo, allow_drop, updated_at
               from _new_loads on conflict (load_id) do nothing"""
        )
    finally:
        con.unregister("_new_loads")


def set_load_status(
    con: duckdb.DuckDBPyConnection,
    load_ids: list[str],
    status: str,
    *,
    reason: str | None = None,
    rows_loaded: int | None = None,
    rows_quarantined: int | None = None,
) -> None:
    """Move loads to ``status`` (landed → loaded → published, or failed) with counts and reason."""
    if not load_ids:
        return
    con.execute(
        """update meta.loads set status = ?, reason = coalesce(?, reason),
               rows_loaded = coalesce(?, rows_loaded), rows_quarantined = coalesce(?, rows_quarantined),
               updated_at = ? where load_id in (select unnest(?::varchar[]))""",
        [status, reason, rows_loaded, rows_quarantined, datetime.now(UTC), list(load_ids)],
    )


def set_load_counts(con: duckdb.DuckDBPyConnection, status: str, counts: dict[str, tuple[int, int]]) -> None:
    """Move many loads to ``status`` at once, each with its (rows loaded, rows quarantined)."""
    if not counts:
        return
    frame = pd.DataFrame(
        {
            "load_id": list(counts),
            "rows_loaded": [loaded for loaded, _ in counts.values()],
            "rows_quarantined": [quarantined for _, quarantined in counts.values()],
        }
    )
    con.register("_counts", frame)
    try:
        con.execute(
            """update meta.loads set status = ?, rows_loaded = c.rows_loaded,
                   rows_quarantined = c.rows_quarantined, updated_at = ?
               from _counts c where meta.loads.load_id = c.load_id""",
            [status, datetime.now(UTC)],
        )
    finally:
        con.unregister("_counts")


def loads(con: duckdb.DuckDBPyConnection, source: str, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Ledger rows of one source with one of ``statuses``, oldest first."""
    return con.execute(
        "select * from meta.loads where source = ? and list_contains(?, status) order by landed_at, load_id",
        [source, list(statuses)],
    ).df()


def quarantine(con: duckdb.DuckDBPyConnection, load_id: str, source: str, rejects: pd.DataFrame) -> int:
    """Replace the quarantined rows of ``load_id`` with ``rejects`` (idempotent per load)."""
    con.execute("delete from meta.quarantine where load_id = ?", [load_id])
    return quarantine_new(con, source, {load_id: rejects})


def quarantine_new(con: duckdb.DuckDBPyConnection, source: str, rejects_by_load: dict[str, pd.DataFrame]) -> int:
    """Insert the rejects of loads quarantined for the first time, in one statement."""
    parts = [
        r.reindex(columns=QUARANTINE_COLUMNS).assign(load_id=load_id)
        for load_id, r in rejects_by_load.items()
        if r is not None and not r.empty
    ]
    if not parts:
        return 0
    rejects = pd.concat(parts, ignore_index=True)
    load_ids = rejects.pop("load_id")
    frame = rejects.copy()
    frame["row"] = pd.to_numeric(frame["row"], errors="coerce").astype("Int64")
    for column in ("file", "sheet", "column", "value", "reason"):
        frame[column] = frame[column].astype("string").str.slice(0, 1000)
    frame.insert(0, "source", source)
    frame.insert(0, "load_id", load_ids.astype("string"))
    frame["quarantined_at"] = datetime.now(UTC)
    con.register("_rejects", frame)
    try:
        con.execute(
            'insert into meta.quarantine select load_id, source, file, sheet, "row", "column", value, reason, quarantined_at from _rejects'
        )
    finally:
        con.unregister("_rejects")
    return len(frame)
