"""Copy the published serving DB into PostgreSQL: a fresh schema, then one swap.

Every table of ``serving/warehouse.duckdb`` is loaded with ``COPY`` into a schema of its own
(``fsw_load_<id>``), indexed on the keys BI filters on, commented with the dbt descriptions,
given its row-level security and grants, then swapped in as ``fsw`` by two ``ALTER SCHEMA …
RENAME`` in one transaction. A reader's next statement after that commit reads the new tables
(the rename invalidates cached plans), the old schema is dropped once no reader holds it. A
failure before the swap leaves ``fsw`` as it was.

Identifiers go through ``psycopg.sql.Identifier`` and values through ``sql.Literal``: DDL takes
no bound parameters, and no string is pasted into SQL unquoted.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.config import Settings
from orchestration.postgres.access import apply_access, ensure_roles
from orchestration.postgres.server import local_server

SCHEMA = "fsw"
LOAD_PREFIX = "fsw_load_"
OLD_PREFIX = "fsw_old_"
# pg_advisory_lock key: one publish at a time per database (`fsw serve` beside a run).
PUBLISH_LOCK = 4_606_532_025
SWAP_LOCK_TIMEOUT = "10s"
DROP_LOCK_TIMEOUT = "3s"
# Columns BI tools filter or join on; each one present gets a b-tree index.
INDEX_COLUMNS = (
    "region_code",
    "department_code",
    "commune_code",
    "site_id",
    "site_key",
    "place_key",
    "qpv_key",
    "territory_code",
    "month_start",
    "month_end",
)
LARGE_TABLE_ROWS = 1_000_000
MONTH_COLUMN = "month_start"
# Per monthly table and month: rows and the sum of their hashes when copied (admin only).
FINGERPRINTS = "fsw_month_fingerprints"
PG_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20)",
    "HUGEINT": "numeric(39)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
}


@dataclass
class PostgresPublication:
    """What a PostgreSQL publish did."""

    schema: str
    tables: dict[str, int] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)
    seconds: float = 0.0
    old_schema_dropped: bool = True
    months_kept: dict[str, int] = field(default_factory=dict)  # months copied inside PostgreSQL


def postgres_target(settings: Settings) -> str | None:
    """The DSN publishes go to: ``FSW_POSTGRES_DSN``, else the home's local server, else None."""
    dsn = os.environ.get("FSW_POSTGRES_DSN", "").strip()
    if dsn:
        return dsn
    dsn_file = local_server(settings).dsn_file
    return dsn_file.read_text(encoding="utf-8").strip() if dsn_file.exists() else None


def target_name(dsn: str) -> str:
    """``host:port/dbname`` of a DSN, for messages: a DSN may carry a password, never shown."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(dsn)
    except Exception:  # a malformed DSN: psycopg says why when connecting
        return "PostgreSQL (unreadable DSN)"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def error_line(error: BaseException) -> str:
    """The first non-empty line of a driver error (psycopg's go on with hints)."""
    return next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)


def pg_type(duckdb_type: str) -> tuple[str, bool]:
    """The PostgreSQL type of a DuckDB column, and whether the value goes as JSON text."""
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric"), False
    if duckdb_type in PG_TYPES:
        return PG_TYPES[duckdb_type], False
    return "jsonb", True  # lists, structs, maps: BI tools read JSON


def publish_postgres(settings: Settings, dsn: str, *, run_id: str = "") -> PostgresPublication:
    """Copy every table of the serving DB into schema ``fsw`` of ``dsn`` (see the module)."""
    import psycopg

    started = time.monotonic()
    load_schema = f"{LOAD_PREFIX}{uuid.uuid4().hex[:12]}"
    scratch = settings.home / ".publish" / "postgres"
    scratch.mkdir(parents=True, exist_ok=True)
    duck = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        tables = _serving_tables(duck)
        regions = [
            code
            for (code,) in duck.execute(
                "select distinct region_code from dim_commune where region_code is not null order by 1"
            ).fetchall()
        ]
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as pg:
            pg.execute("select pg_advisory_lock(%s)", [PUBLISH_LOCK])
            _drop_leftovers(pg)
            ensure_roles(pg, regions)
            result = PostgresPublication(schema=SCHEMA, regions=regions)
            try:
                pg.execute(_sql("create schema {}", load_schema))
                pg.execute(
                    _sql(
                        "create table {} (table_name text, signature text, month date, n bigint, h text)",
                        (load_schema, FINGERPRINTS),
                    )
                )
                pg.execute("set maintenance_work_mem = '256MB'")
                for table in tables:
                    result.tables[table.name] = _copy_table(duck, pg, load_schema, table, scratch, result)
                apply_access(pg, load_schema, {t.name: t.column_names for t in tables}, regions)
                _comment(pg, load_schema, tables)
                pg.execute(
                    _sql("comment on schema {} is {}", load_schema, literal=f"France Services warehouse, run {run_id}")
                )
                old = _swap(pg, load_schema)
            except BaseException:
                _drop_quietly(pg, load_schema)
                raise
            result.old_schema_dropped = old is None or _drop_quietly(pg, old)
    finally:
        duck.close()
        for leftover in scratch.glob("*.csv"):
            leftover.unlink(missing_ok=True)
    result.seconds = round(time.monotonic() - started, 2)
    return result


@dataclass(frozen=True)
class ServingTable:
    name: str
    columns: list[tuple[str, str]]  # (name, DuckDB type)
    comment: str | None
    column_comments: dict[str, str]

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def signature(self) -> str:
        """Its columns and types: months are reused only between tables of the same signature."""
        return ", ".join(f"{name} {data_type}" for name, data_type in self.columns)


def _serving_tables(duck: duckdb.DuckDBPyConnection) -> list[ServingTable]:
    names = duck.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'main' "
        "and database_name = current_database() order by table_name"
    ).fetchall()
    tables = []
    for name, comment in names:
        rows = duck.execute(
            "select column_name, data_type, comment from duckdb_columns() where schema_name = 'main' "
            "and database_name = current_database() and table_name = ? order by column_index",
            [name],
        ).fetchall()
        tables.append(
            ServingTable(
                name=name,
                columns=[(column, data_type) for column, data_type, _ in rows],
                comment=comment,
                column_comments={column: text for column, _, text in rows if text},
            )
        )
    return tables


def _sql(template: str, *identifiers: str, literal: str | None = None):
    from psycopg import sql

    parts = [sql.Identifier(*name) if isinstance(name, tuple) else sql.Identifier(name) for name in identifiers]
    if literal is not None:
        parts.append(sql.Literal(literal))
    return sql.SQL(template).format(*parts)


def _copy_table(
    duck: duckdb.DuckDBPyConnection, pg, schema: str, table: ServingTable, scratch: Path, stats: PostgresPublication
) -> int:
    """Create ``schema.table``, fill it, index it; its row count.

    Rows come as CSV written by DuckDB and sent with COPY, except the months of a monthly
    table that are the same as in the served one (same columns, same count and hash of rows,
    as the DuckDB publish compares them): those are copied inside PostgreSQL, three times
    faster than through CSV.
    """
    from psycopg import sql

    definitions, selected = [], []
    for name, duckdb_type in table.columns:
        pg_column_type, as_json = pg_type(duckdb_type)
        definitions.append(sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_column_type)))
        quoted = _quote(name)
        selected.append(f"to_json({quoted})::varchar as {quoted}" if as_json else quoted)
    target = sql.Identifier(schema, table.name)
    source = f"main.{_quote(table.name)}"
    monthly = (MONTH_COLUMN, "DATE") in table.columns
    fingerprints = _month_fingerprints(duck, table) if monthly else {}
    served = _served_fingerprints(pg, table) if monthly else {}
    kept = sorted(month for month, print_ in fingerprints.items() if month is not None and served.get(month) == print_)
    csv_path = scratch / f"{table.name}.csv"
    rest = f"where {MONTH_COLUMN} is null or not list_contains(?::date[], {MONTH_COLUMN})" if kept else ""
    duck.execute(
        f"copy (select {', '.join(selected)} from {source} {rest}) to ? (format csv, header false)",
        [kept, str(csv_path)] if kept else [str(csv_path)],
    )
    expected = duck.execute(f"select count(*) from {source}").fetchone()[0]
    # Created, filled and indexed in one transaction: with the local server's minimal WAL level
    # the rows are written once, not also to the WAL.
    with pg.transaction(), pg.cursor() as cursor:
        cursor.execute(sql.SQL("create table {} ({})").format(target, sql.SQL(", ").join(definitions)))
        copied = 0
        if kept:
            cursor.execute(
                sql.SQL("insert into {} select * from {} where {} = any(%s)").format(
                    target, sql.Identifier(SCHEMA, table.name), sql.Identifier(MONTH_COLUMN)
                ),
                [kept],
            )
            copied += cursor.rowcount
        with cursor.copy(sql.SQL("copy {} from stdin (format csv)").format(target)) as copy:
            with open(csv_path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        copied += cursor.rowcount
        if copied != expected:
            raise RuntimeError(f"{table.name}: copied {copied:,} of {expected:,} rows")
        for column in _index_columns(table.column_names, copied):
            cursor.execute(
                sql.SQL("create index {} on {} ({})").format(
                    sql.Identifier(f"{table.name}__{column}"[:63]), target, sql.Identifier(column)
                )
            )
        if monthly:
            cursor.executemany(
                sql.SQL("insert into {} values (%s, %s, %s, %s, %s)").format(sql.Identifier(schema, FINGERPRINTS)),
                [(table.name, table.signature, month, n, h) for month, (n, h) in fingerprints.items()],
            )
    csv_path.unlink(missing_ok=True)
    pg.execute(sql.SQL("analyze {}").format(target))
    if kept:
        stats.months_kept[table.name] = len(kept)
    return copied


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _month_fingerprints(duck: duckdb.DuckDBPyConnection, table: ServingTable) -> dict:
    """{month: (rows, sum of row hashes)} of a monthly serving table."""
    columns = ", ".join(_quote(name) for name in table.column_names)
    rows = duck.execute(
        f"select {MONTH_COLUMN}, count(*), sum(hash(row({columns}))::hugeint)::varchar "
        f"from main.{_quote(table.name)} group by all"
    ).fetchall()
    return {month: (n, h) for month, n, h in rows}


def _served_fingerprints(pg, table: ServingTable) -> dict:
    """The month fingerprints the served schema recorded for ``table`` with the same columns."""
    exists = pg.execute(
        "select 1 from pg_tables where schemaname = %s and tablename = %s", [SCHEMA, FINGERPRINTS]
    ).fetchone()
    if exists is None:
        return {}
    from psycopg import sql

    rows = pg.execute(
        sql.SQL("select month, n, h from {} where table_name = %s and signature = %s").format(
            sql.Identifier(SCHEMA, FINGERPRINTS)
        ),
        [table.name, table.signature],
    ).fetchall()
    return {month: (n, h) for month, n, h in rows}


def _index_columns(columns: list[str], rows: int) -> list[str]:
    """Key columns to index; on the large facts only the month (three seconds per index and 4 M
    rows; a regional reader's rows come through a hash join on its sites, as fast without)."""
    wanted = INDEX_COLUMNS if rows < LARGE_TABLE_ROWS else ("month_start",)
    return [column for column in wanted if column in columns]


def _comment(pg, schema: str, tables: list[ServingTable]) -> None:
    """The dbt descriptions the serving DB carries, on the tables and columns."""
    from psycopg import sql

    for table in tables:
        target = sql.Identifier(schema, table.name)
        if table.comment:
            pg.execute(sql.SQL("comment on table {} is {}").format(target, sql.Literal(table.comment)))
        for column, text in table.column_comments.items():
            pg.execute(
                sql.SQL("comment on column {}.{} is {}").format(target, sql.Identifier(column), sql.Literal(text))
            )


def _swap(pg, load_schema: str) -> str | None:
    """Make ``load_schema`` the served ``fsw`` in one transaction; the old schema's new name."""
    old = None
    with pg.transaction():
        pg.execute(f"set local lock_timeout = '{SWAP_LOCK_TIMEOUT}'")  # a constant
        if pg.execute("select 1 from pg_namespace where nspname = %s", [SCHEMA]).fetchone():
            old = f"{OLD_PREFIX}{load_schema.removeprefix(LOAD_PREFIX)}"
            pg.execute(_sql("alter schema {} rename to {}", SCHEMA, old))
        pg.execute(_sql("alter schema {} rename to {}", load_schema, SCHEMA))
    return old


def _drop_quietly(pg, schema: str) -> bool:
    """Drop ``schema`` unless a reader still holds one of its tables (then the next publish does)."""
    import psycopg

    try:
        with pg.transaction():
            pg.execute(f"set local lock_timeout = '{DROP_LOCK_TIMEOUT}'")
            pg.execute(_sql("drop schema if exists {} cascade", schema))
        return True
    except psycopg.OperationalError:  # LockNotAvailable among them
        return False


def _drop_leftovers(pg) -> None:
    """Schemas a crashed or blocked publish left behind."""
    leftovers = pg.execute(
        "select nspname from pg_namespace where nspname like %s or nspname like %s",
        [LOAD_PREFIX + "%", OLD_PREFIX + "%"],
    ).fetchall()
    for (schema,) in leftovers:
        _drop_quietly(pg, schema)
