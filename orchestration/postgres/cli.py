"""What `fsw serve postgres` does, as plain functions the CLI prints (errors as ``InputError``)."""

from __future__ import annotations

from ingestion.errors import InputError
from orchestration.config import Settings
from orchestration.postgres.access import grant_login, parse_grant
from orchestration.postgres.publish import error_line, postgres_target, publish_postgres, target_name
from orchestration.postgres.server import start_local_server, stop_local_server


def start_serving(settings: Settings, *, refresh: bool = False) -> tuple[str, list[str]]:
    """Start the local server unless ``FSW_POSTGRES_DSN`` names one; the DSN (no password in
    it) and what happened.

    The serving DB is copied in when PostgreSQL holds nothing yet, or with ``refresh``. A
    server that comes back keeps what it served: if a publish failed meanwhile, the line says
    which run it holds and how to bring it level.
    """
    import os

    import psycopg

    lines = []
    if os.environ.get("FSW_POSTGRES_DSN", "").strip():
        dsn = postgres_target(settings)
        lines.append(f"FSW_POSTGRES_DSN names {target_name(dsn)}: no local server started")
    else:
        dsn, line = start_local_server(settings)
        lines.append(line)
    if not settings.serving_db.exists():
        lines.append("no serving DB yet: the next `fsw run` publishes to it")
        return dsn, lines
    try:
        held = served_run(dsn)
        if held is None or refresh:
            result = publish_postgres(settings, dsn)
            rows = sum(result.tables.values())
            lines.append(
                f"published {len(result.tables)} tables ({rows:,} rows) as schema {result.schema} in {result.seconds:.1f} s"
            )
        elif held != published_run(settings):
            lines.append(
                f"PostgreSQL serves run {held}, serving/ holds run {published_run(settings)}: "
                "`fsw serve postgres --refresh` (or the next publish) brings it level"
            )
        else:
            lines.append(f"PostgreSQL serves run {held}, as serving/ does")
    except psycopg.Error as error:
        raise InputError(f"PostgreSQL serving not updated ({target_name(dsn)}): {error_line(error)}") from None
    lines.append("readers: FSW_PG_PASSWORD=… fsw serve postgres --grant region:76 --user NAME (or --grant national)")
    return dsn, lines


def served_run(dsn: str) -> str | None:
    """The run whose publication PostgreSQL serves, or None when it serves nothing yet."""
    import psycopg

    with psycopg.connect(dsn, connect_timeout=10) as pg:
        try:
            row = pg.execute("select run_id from fsw.fsw_publication").fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return row[0] if row else None


def published_run(settings: Settings) -> str | None:
    """The run of the published serving DB."""
    import duckdb

    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        row = con.execute("select run_id from fsw_publication").fetchone()
    finally:
        con.close()
    return row[0] if row else None


def stop_serving(settings: Settings) -> str:
    """Stop the home's local server."""
    return stop_local_server(settings)


def grant_reader(settings: Settings, grant: str, user: str, password: str) -> str:
    """Create or update ``user`` as a reader of ``grant`` with ``password`` (from the environment)."""
    import psycopg

    if not password:
        raise InputError("FSW_PG_PASSWORD is empty: the login's password is read from it, never from the command line")
    try:
        role = parse_grant(grant)
    except ValueError as error:
        raise InputError(str(error)) from None
    dsn = postgres_target(settings)
    if dsn is None:
        raise InputError("no PostgreSQL serving: run `fsw serve postgres` or set FSW_POSTGRES_DSN")
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as pg:
            return grant_login(pg, user, role, password)
    except ValueError as error:
        raise InputError(str(error)) from None
    except psycopg.Error as error:
        raise InputError(f"PostgreSQL {target_name(dsn)}: {error_line(error)}") from None
