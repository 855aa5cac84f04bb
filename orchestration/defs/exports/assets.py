"""Local activity and satisfaction exports: parse landed files, then monthly partitions."""

from datetime import date, datetime, timezone

import dagster as dg
import numpy as np
import pandas as pd

from ingestion.errors import InputError
from ingestion.landing import read_manifest
from ingestion.store import connect, loads, quarantine_new, set_load_status
from orchestration.defs.demo import ensure_demo_exports
from orchestration.defs.exports.partitions import MONTHLY
from orchestration.defs.exports.sources import EXPORT_SOURCES, ExportSource
from orchestration.defs.exports.tables import SITE_WINDOWS_SQL, ensure_tables, winners_sql
from orchestration.defs.sites.assets import RAW_SITE_LISTING
from ingestion.faults import crash_point
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

UNKNOWN_SITE = "unknown site id for that date"


def files_key(source: ExportSource) -> dg.AssetKey:
    return dg.AssetKey(["raw", f"{source.name}_files"])


def table_key(source: ExportSource) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.name])


def _unknown_sites(con, rows: pd.DataFrame, date_column: str) -> pd.Series:
    """True for rows whose site is not in the listing, or not open at the row's date.

    ``_site_windows`` (a temp table of SITE_WINDOWS_SQL) must exist on ``con``.
    """
    frame = pd.DataFrame({
        "position": np.arange(len(rows)),
        "site_id": rows["site_id"].to_numpy(),
        "day": pd.to_datetime(rows[date_column]).to_numpy(dtype="datetime64[ms]"),
    })
    con.register("_days", frame)
    try:
        # A join returns rows in no particular order: flags go back by position, explicitly.
        flags = con.execute(
            """select w.site_id is null or cast(_days.day as date) < w.known_from
                      or (w.closed_on is not null and cast(_days.day as date) >= w.closed_on) as unknown
               from _days left join _site_windows w using (site_id)
               order by _days.position"""
        ).fetchnumpy()["unknown"]
    finally:
        con.unregister("_days")
    return pd.Series(np.asarray(flags, dtype=bool), index=rows.index)


def _parse_one(con, settings, source: ExportSource, load_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one landed file: (rows that load, rejects with reasons)."""
    landed = read_manifest(settings.landing, source.name, load_id)
    result = source.reader(landed.path, today=date.today())
    rows, rejects = result.rows, result.rejects
    unknown = _unknown_sites(con, rows, source.date_column) if len(rows) else pd.Series(dtype=bool)
    if unknown.any():
        bad = rows[unknown]
        rejects = pd.concat([rejects, pd.DataFrame({
            "file": landed.original_name, "sheet": bad["source_sheet"], "row": bad["source_row"],
            "column": "site", "value": bad["site_id"], "reason": UNKNOWN_SITE,
        })], ignore_index=True)
        rows = rows[~unknown]
    if rows.empty and not rejects.empty:
        first = rejects.iloc[0]
        raise InputError(
            f"no row could be loaded: all {rejects[['sheet', 'row']].drop_duplicates().shape[0]} rows rejected "
            f"(first: row {first['row']}, column {first['column']!r}: {first['reason']})",
            file=landed.original_name,
        )
    rows = rows.assign(load_id=load_id, month=pd.to_datetime(rows[source.date_column]).dt.to_period("M").dt.start_time.dt.date)
    return rows, rejects


def _write_batch(con, source: ExportSource, batch: list[tuple[str, pd.DataFrame, pd.DataFrame]]) -> None:
    """Write parsed files in one transaction: rows, quarantine, ledger statuses."""
    # Only 'landed' loads are parsed and rows, quarantine and status commit together, so these
    # loads have no rows yet: nothing to delete first.
    rows = pd.concat([r for _, r, _ in batch], ignore_index=True)
    con.execute("begin")
    con.register("_rows", rows)
    try:
        con.execute(f"insert into raw.{source.rows_table} by name select * from _rows")
    finally:
        con.unregister("_rows")
    crash_point("raw_load")
    quarantine_new(con, source.name, {load_id: rejects for load_id, _, rejects in batch})
    for load_id, loaded, rejects in batch:
        rejected = rejects[["sheet", "row"]].drop_duplicates().shape[0] if len(rejects) else 0
        set_load_status(con, [load_id], "parsed", rows_loaded=len(loaded), rows_quarantined=rejected)
    con.execute("commit")


BATCH_FILES = 250


def build_files_asset(source: ExportSource) -> dg.AssetsDefinition:
    """The parse step of ``source``: every newly landed file into ``raw.<name>_rows``."""

    @dg.asset(
        key=files_key(source),
        deps=[RAW_SITE_LISTING],
        group_name=source.name,
        kinds={"duckdb", "pandas"},
        owners=[OWNER],
        pool=WORK_DB_POOL,
        description=(
            f"Parsed rows of every landed {source.name} export ({source.description}) in "
            f"`raw.{source.rows_table}`, one row per file row, tagged with its load. Source: files "
            f"landed by `fsw ingest {source.name}` or the inbox sensor (CSV `;`/`,`/tab, UTF-8/cp1252, "
            "XLSX), or the demo exports while no real file was loaded. Row-level problems (bad "
            "dates, negative counts, unknown site for that date…) go to quarantine. Runs on every "
            "ingest; only new files are read."
        ),
    )
    def parse_files(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        ensure_demo_exports(settings)
        failures, done = [], []
        with connect(settings.work_db) as con:
            ensure_tables(con, source.name)
            pending = loads(con, source.name, ("landed",))
            con.execute(f"create temp table _site_windows as {SITE_WINDOWS_SQL}")
            batch: list[tuple[str, pd.DataFrame, pd.DataFrame]] = []
            for index, load in enumerate(pending.itertuples(), start=1):
                try:
                    rows, rejects = _parse_one(con, settings, source, load.load_id)
                except InputError as error:
                    set_load_status(con, [load.load_id], "failed", reason=error.line())
                    failures.append(error.line())
                    continue
                except Exception as error:  # a reader bug must not block every later load
                    line = f"{load.file_name}: could not be read ({type(error).__name__}: {str(error)[:200]})"
                    set_load_status(con, [load.load_id], "failed", reason=line)
                    failures.append(line)
                    continue
                batch.append((load.load_id, rows, rejects))
                done.append({"load_id": load.load_id, "file": load.file_name, "sha256": load.sha256,
                             "rows": len(rows), "quarantined": len(rejects)})
                if len(batch) >= BATCH_FILES:
                    _write_batch(con, source, batch)
                    batch = []
                    context.log.info(f"{source.name}: {index}/{len(pending)} files parsed")
            if batch:
                _write_batch(con, source, batch)
        if failures:
            more = f" (and {len(failures) - 1} more failed files)" if len(failures) > 1 else ""
            raise dg.Failure(description=failures[0] + more)
        return dg.MaterializeResult(metadata={
            "files": len(done),
            "rows": sum(d["rows"] for d in done),
            "quarantined_rows": sum(d["quarantined"] for d in done),
            "landing_files": dg.MetadataValue.json(done[:50]),
        })

    return parse_files


def build_monthly_asset(source: ExportSource) -> dg.AssetsDefinition:
    """``raw.<name>``, partitioned by month: for each site-month, the rows of the newest file."""

    @dg.asset(
        key=table_key(source),
        deps=[files_key(source)],
        partitions_def=MONTHLY,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=source.name,
        kinds={"duckdb", "great_expectations"},
        owners=[OWNER],
        pool=WORK_DB_POOL,
        description=(
            f"`raw.{source.name}`: the {source.name} rows that count, one monthly partition "
            "(Europe/Paris) per calendar month. For each site-month the newest landed file wins "
            "(a corrected re-send replaces it; the older file stays in landing). Demo rows count "
            "only while no real file was loaded. Backfills run as a single run."
        ),
    )
    def monthly(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        first, last = context.partition_key_range.start, context.partition_key_range.end
        with connect(settings.work_db) as con:
            ensure_tables(con, source.name)
            real = con.execute(
                "select count(*) > 0 from meta.loads where source = ? and not is_demo "
                "and status in ('parsed', 'loaded', 'published')", [source.name]
            ).fetchone()[0]
            con.execute("begin")
            con.execute(f"delete from raw.{source.name} where month between ? and ?", [first, last])
            con.execute(f"insert into raw.{source.name} {winners_sql(source.name, source.date_column)}", [first, last, real])
            counts = con.execute(
                f"select strftime(month, '%Y-%m-01'), count(*) from raw.{source.name} where month between ? and ? group by 1",
                [first, last],
            ).fetchall()
            now = datetime.now(timezone.utc)
            by_month = dict(counts)
            for key in context.partition_keys:
                con.execute(
                    f"insert or replace into raw.{source.name}_months values (?, ?, ?)", [key, now, by_month.get(key, 0)]
                )
            con.execute(
                f"""update meta.loads set status = 'loaded', updated_at = ? where status = 'parsed' and load_id in
                    (select distinct load_id from raw.{source.rows_table} where month between ? and ?)""",
                [now, first, last],
            )
            con.execute("commit")
        return dg.MaterializeResult(metadata={
            "rows": sum(by_month.values()),
            "partitions": len(context.partition_keys),
            "partition_range": f"{first} → {last}",
            "demo": not real,
            "rows_by_month": dg.MetadataValue.json(by_month),
        })

    return monthly


FILES_ASSETS = [build_files_asset(source) for source in EXPORT_SOURCES]
MONTHLY_ASSETS = [build_monthly_asset(source) for source in EXPORT_SOURCES]
