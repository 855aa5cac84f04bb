"""`fsw status`: what each source holds (demo or real), its loads and failures, quarantine, publication.

The ledger (loads, failures, quarantine) is read from the work DB, where every load writes,
so a load that failed after the last publication is listed too. While a run holds the work
DB, the copy published in the serving DB is read instead, and the report says so.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from ingestion.landing import SOURCES
from orchestration.config import Settings
from orchestration.home_lock import home_if_free

FAILED_SHOWN = 5  # failed loads listed per source, newest first
WAITING = ("landed", "parsed", "loaded")
UNLINKED_SHOWN = 5  # outreach places without a site listed by name
# What a source holds before its first load, when the warehouse embeds a default.
EMBEDDED = {"insee": "embedded snapshot (real, older)", "qpv": "embedded 2024 list (real, ANCT; no file loaded)"}


def render_status(settings: Settings) -> str:
    """A short text report; never blocks on a running load."""
    lines = [f"FSW_HOME: {settings.home}"]
    serving = duckdb.connect(str(settings.serving_db), read_only=True) if settings.serving_db.exists() else None
    try:
        if serving is None:
            lines.append("serving: nothing published yet (run `fsw run`)")
        else:
            published_at, run_id = serving.execute("select published_at, run_id from fsw_publication").fetchone()
            lines.append(
                f"serving: {settings.serving_db} (published {published_at:%Y-%m-%d %H:%M:%S %Z}, run {run_id})"
            )
            lines.append(_engine_line(settings, serving))
        lines.append(_postgres_line(settings))
        with _ledger(settings, serving) as (ledger, schema, note):
            if ledger is None:
                return "\n".join(lines)
            if note:
                lines.append(note)
            lines += _sources(ledger, schema, serving)
            lines += _failures(ledger, schema)
            lines += _quarantine(ledger, schema)
        if serving is not None:
            lines += _unlinked_places(serving)
            lines += _data_months(serving)
            tables = serving.execute(
                "select table_name, estimated_size from duckdb_tables() where schema_name = 'main' order by 1"
            ).fetchall()
            lines.append("tables: " + ", ".join(f"{name} ({size:,})" for name, size in tables))
    finally:
        if serving is not None:
            serving.close()
    return "\n".join(lines)


def _engine_line(settings: Settings, serving) -> str:
    """Which engine built the published marts, and which one the next build uses."""
    columns = {
        name
        for (name,) in serving.execute(
            "select column_name from information_schema.columns where table_name = 'fsw_publication'"
        ).fetchall()
    }
    # A serving file published before the engine setting existed was built by DuckDB.
    built = serving.execute("select engine from fsw_publication").fetchone()[0] if "engine" in columns else "duckdb"
    return f"engine: {built} built the serving file (next build: FSW_ENGINE={settings.engine})"


def _postgres_line(settings: Settings) -> str:
    """Where the PostgreSQL serving copy is and which publication it holds (2 s at most)."""
    import os

    from orchestration.postgres.publish import error_line, postgres_target, target_name
    from orchestration.postgres.server import local_server_state

    dsn = postgres_target(settings)
    if dsn is None:
        return "postgres: not configured (`fsw serve postgres` starts one, or set FSW_POSTGRES_DSN)"
    external = bool(os.environ.get("FSW_POSTGRES_DSN", "").strip())
    state = None if external else local_server_state(settings)
    where = f"{target_name(dsn)} (FSW_POSTGRES_DSN)" if external else f"local server {state}"
    if state == "stopped":
        return f"postgres: {where}: `fsw serve postgres` starts it (publishes fail meanwhile)"
    import psycopg

    try:
        with psycopg.connect(dsn, connect_timeout=2) as pg:
            row = pg.execute("select published_at, run_id from fsw.fsw_publication").fetchone()
    except psycopg.errors.UndefinedTable:
        return f"postgres: {where}: nothing published yet"
    except psycopg.Error as error:
        return f"postgres: {where}: unreachable ({error_line(error)})"
    return f"postgres: {where}, schema fsw (published {row[0]:%Y-%m-%d %H:%M:%S %Z}, run {row[1]})"


@contextlib.contextmanager
def _ledger(settings: Settings, serving):
    """(connection, ledger table names, note): the work DB's ledger, else the serving DB's copy.

    The home is held shared while the work DB is open: a command that wants to write waits
    the moment this takes, instead of failing on DuckDB's file lock.
    """
    published = {"loads": "fsw_loads", "quarantine": "fsw_quarantine"}
    with home_if_free(settings.home, shared=True) as free:
        work = _open_work_db(settings.work_db) if free else None
        if work is not None:
            try:
                yield work, {"loads": "meta.loads", "quarantine": "meta.quarantine"}, None
            finally:
                work.close()
            return
    if serving is None:
        yield None, published, None
        return
    yield serving, published, "ledger: a run is writing the work DB; loads as of the last publication"


def _open_work_db(path: Path) -> duckdb.DuckDBPyConnection | None:
    """The work DB read-only, or None when it is missing, has no ledger or a run holds it."""
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException:  # a run started by `dagster dev` holds the file
        return None
    try:
        con.execute("select 1 from meta.loads limit 1")
    except duckdb.CatalogException:
        con.close()
        return None
    return con


def _sources(ledger, schema: dict, serving) -> list[str]:
    rows = ledger.execute(
        f"""select source,
                   count(*) filter (where status = 'published' and not is_demo),
                   count(*) filter (where status = 'published' and is_demo),
                   count(*) filter (where list_contains(?, status)),
                   count(*) filter (where status = 'failed'),
                   max(landed_at) filter (where not is_demo and status <> 'failed')
            from {schema["loads"]} group by source""",
        [list(WAITING)],
    ).fetchall()
    known = {row[0]: row[1:] for row in rows}
    demo_sites = 0
    if serving is not None:
        demo_sites = serving.execute("select count(*) from dim_site where is_current and is_demo").fetchone()[0]
    lines = ["sources:"]
    for source in SOURCES:
        real, demo, waiting, failed, last_real = known.get(source, (0, 0, 0, 0, None))
        extra = f", {waiting:,} waiting to be published" if waiting else ""
        if real:
            text = f"real: {real:,} published load(s), {failed:,} failed{extra}, last landed {last_real:%Y-%m-%d}"
        else:
            if source == "sites" and demo_sites:
                text = f"demo: generated listing of {demo_sites:,} sites (no real listing loaded)"
            elif demo and source == "outreach":
                text = "demo: generated stops for the listing's mobile sites (no real file loaded)"
            elif demo and source in ("activity", "satisfaction"):
                text = f"demo: generated exports for the sites of the current listing, {demo:,} file(s) (no real file loaded)"
            elif demo:
                text = f"demo: {demo:,} published load(s)"
            else:
                text = EMBEDDED.get(source, "none loaded")
            if failed or waiting:
                text += f"; {failed:,} failed{extra}"
        lines.append(f"  {source:<13} {text}")
    return lines


def _unlinked_places(serving) -> list[str]:
    """Outreach places the warehouse could not link to a France Services site (kept, listed)."""
    has_places = serving.execute(
        "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'dim_outreach_place'"
    ).fetchone()[0]
    if not has_places:
        return []
    rows = serving.execute(
        """select place_name, commune_code, coalesce(parent_structure, '')
           from dim_outreach_place where is_current and link_method = 'unlinked' order by place_name"""
    ).fetchall()
    if not rows:
        return []
    lines = [f"outreach places not linked to a site ({len(rows):,}; kept, without a site in the marts):"]
    lines += [
        f"  {name} ({commune}){f', parent structure {parent!r}' if parent else ''}"
        for name, commune, parent in rows[:UNLINKED_SHOWN]
    ]
    if len(rows) > UNLINKED_SHOWN:
        lines.append(f"  … and {len(rows) - UNLINKED_SHOWN:,} more")
    return lines


def _data_months(serving) -> list[str]:
    """Which months the published facts hold: a mart month outside them is null (no data)."""
    from orchestration.data_months import months_with_data

    held = months_with_data(serving)
    lines = ["months with data (other months are null in the marts):"]
    lines += [f"  {fact:<13} {months.describe() if months else 'none'}" for fact, months in held.items()]
    return lines


def _failures(ledger, schema: dict) -> list[str]:
    rows = ledger.execute(
        f"""select source, load_id, file_name, coalesce(reason, 'no reason recorded'), n
            from (select *, count(*) over (partition by source) as n,
                         row_number() over (partition by source order by landed_at desc, load_id desc) as newest
                  from {schema["loads"]} where status = 'failed')
            where newest <= ? order by source, newest""",
        [FAILED_SHOWN],
    ).fetchall()
    if not rows:
        return ["failed loads: none"]
    lines = [f"failed loads: {sum({r[0]: r[4] for r in rows}.values()):,} (newest first; files kept in landing/)"]
    shown: dict[str, int] = {}
    for source, load_id, file_name, reason, total in rows:
        shown[source] = shown.get(source, 0) + 1
        said = reason if reason.startswith(file_name) else f"{file_name}: {reason}"
        lines.append(f"  {source:<13} {load_id}  {said}")
        if shown[source] == FAILED_SHOWN and total > FAILED_SHOWN:
            lines.append(f"  {source:<13} … and {total - FAILED_SHOWN:,} more")
    return lines


def _quarantine(ledger, schema: dict) -> list[str]:
    # Rows of superseded demo exports, and of demo files once a real file of the source is in,
    # stay in the quarantine but no longer describe the data.
    rows = ledger.execute(
        f"""select q.source, q.reason, count(*) from {schema["quarantine"]} q
            left join {schema["loads"]} l using (load_id)
            where l.status is distinct from 'superseded'
              and not (coalesce(l.is_demo, false) and q.source in
                       (select source from {schema["loads"]} where not is_demo and status = 'published'))
            group by all order by 1, 3 desc"""
    ).fetchall()
    lines = [f"quarantine: {sum(r[2] for r in rows):,} rows"]
    lines += [f"  {source:<13} {reason}: {count:,}" for source, reason, count in rows]
    return lines
