"""Local activity and satisfaction exports: parse landed files, then monthly partitions."""

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa

from ingestion.errors import InputError
from ingestion.faults import crash_point
from ingestion.landing import read_manifest
from ingestion.store import connect, loads, quarantine_new, set_load_counts, set_load_status
from orchestration.defs.demo import ensure_demo_exports
from orchestration.defs.exports.partitions import MONTHLY
from orchestration.defs.exports.sources import EXPORT_SOURCES, ExportSource
from orchestration.defs.exports.tables import SITE_WINDOWS_SQL, ensure_tables, winners_sql
from orchestration.defs.sites.assets import RAW_SITE_LISTING
from orchestration.progress import report_progress
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

UNKNOWN_SITE = "unknown site id for that date"


def files_key(source: ExportSource) -> dg.AssetKey:
    return dg.AssetKey(["raw", f"{source.name}_files"])


def table_key(source: ExportSource) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.name])


def _unknown_sites(con, sites: np.ndarray, days: np.ndarray) -> np.ndarray:
    """True where the site is not in the listing, or not open at that day.

    ``_site_windows`` (a temp table of SITE_WINDOWS_SQL) must exist on ``con``.
    """
    frame = pd.DataFrame({"position": np.arange(len(sites)), "site_id": sites, "day": days})
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
    return np.asarray(flags, dtype=bool)


@dataclass
class ParsedFile:
    """One landed file read: the rows that may load and the rejects so far."""

    load_id: str
    file_name: str
    sha256: str
    rows: pd.DataFrame
    rejects: pd.DataFrame


def _read_one(settings, source: ExportSource, load_id: str) -> ParsedFile:
    """Read one landed file with the source's reader."""
    landed = read_manifest(settings.landing, source.name, load_id)
    result = source.reader(landed.path, today=date.today())
    return ParsedFile(load_id, landed.original_name, landed.sha256, result.rows, result.rejects)


def _check_sites(con, source: ExportSource, files: list[ParsedFile]) -> None:
    """Move the rows of sites unknown (or not open) at their date to the rejects, for a whole
    batch of files in one query (a query per file cost more than reading the file)."""
    sizes = [len(f.rows) for f in files]
    if not sum(sizes):
        return
    sites = np.concatenate([f.rows["site_id"].to_numpy(dtype=object) for f in files])
    days = np.concatenate([f.rows[source.date_column].to_numpy(dtype="datetime64[ms]") for f in files])
    unknown = _unknown_sites(con, sites, days)
    for parsed, flags in zip(files, np.split(unknown, np.cumsum(sizes)[:-1])):
        if not flags.any():
            continue
        bad = parsed.rows[flags]
        parsed.rejects = pd.concat(
            [
                parsed.rejects,
                pd.DataFrame(
                    {
                        "file": parsed.file_name,
                        "sheet": bad["source_sheet"],
                        "row": bad["source_row"],
                        "column": "site",
                        "value": bad["site_id"],
                        "reason": UNKNOWN_SITE,
                    }
                ),
            ],
            ignore_index=True,
        )
        parsed.rows = parsed.rows[~flags]


def _rejected_rows(parsed: ParsedFile) -> int:
    """Rows of the file with at least one reject line (a row may have several problems)."""
    if parsed.rejects.empty:  # most files: no frame work at all
        return 0
    return parsed.rejects[["sheet", "row"]].drop_duplicates().shape[0]


def _nothing_loads(parsed: ParsedFile) -> InputError | None:
    """The file-level error of a file whose every row was rejected."""
    if not parsed.rows.empty or parsed.rejects.empty:
        return None
    first = parsed.rejects.iloc[0]
    return InputError(
        f"no row could be loaded: all {_rejected_rows(parsed)} rows rejected "
        f"(first: row {first['row']}, column {first['column']!r}: {first['reason']})",
        file=parsed.file_name,
    )


def _write_batch(con, source: ExportSource, batch: list[ParsedFile]) -> None:
    """Write parsed files in one transaction: rows, quarantine, ledger statuses."""
    # Only 'landed' loads are parsed and rows, quarantine and status commit together, so these
    # loads have no rows yet: nothing to delete first.
    rows = pd.concat([f.rows for f in batch], ignore_index=True)
    # one column for the batch (``assign`` on each file's frame copied every file's rows)
    rows["load_id"] = np.repeat(np.array([f.load_id for f in batch], dtype=object), [len(f.rows) for f in batch])
    days = rows[source.date_column].to_numpy(dtype="datetime64[ms]")
    rows["month"] = days.astype("datetime64[M]").astype("datetime64[ms]")  # a date column in DuckDB
    # An Arrow table, not the frame: DuckDB scans Arrow without the GIL (pandas text columns
    # go through Python objects), so the reading thread runs meanwhile.
    con.execute("begin")
    con.register("_rows", pa.Table.from_pandas(rows, preserve_index=False))
    try:
        con.execute(f"insert into raw.{source.rows_table} by name select * from _rows")
    finally:
        con.unregister("_rows")
    crash_point("raw_load")
    quarantine_new(con, source.name, {f.load_id: f.rejects for f in batch})
    set_load_counts(con, "parsed", {parsed.load_id: (len(parsed.rows), _rejected_rows(parsed)) for parsed in batch})
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

            def fail(load_id: str, line: str) -> None:
                set_load_status(con, [load_id], "failed", reason=line)
                failures.append(line)

            def write(batch: list[ParsedFile], unreadable: list[tuple[str, str]], index: int) -> None:
                """Everything a batch does on the work DB (only this and ``fail`` touch ``con``)."""
                for load_id, line in unreadable:
                    fail(load_id, line)
                _check_sites(con, source, batch)
                ready = []
                for parsed in batch:
                    error = _nothing_loads(parsed)
                    if error is not None:
                        fail(parsed.load_id, error.line())
                        continue
                    ready.append(parsed)
                    done.append(
                        {
                            "load_id": parsed.load_id,
                            "file": parsed.file_name,
                            "sha256": parsed.sha256,
                            "rows": len(parsed.rows),
                            "quarantined": len(parsed.rejects),
                        }
                    )
                if ready:
                    _write_batch(con, source, ready)
                report_progress(context.log, f"{source.name} files parsed", index, len(pending))

            # Files are read here while the writer thread checks and inserts the previous batch:
            # reading is Python (it holds the GIL), writing is mostly DuckDB (it releases it), so
            # the two overlap on two cores. One batch at most waits: memory stays two batches.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{source.name}-writer") as writer:
                writing = None
                batch: list[ParsedFile] = []
                unreadable: list[tuple[str, str]] = []
                for index, load in enumerate(pending.itertuples(), start=1):
                    try:
                        batch.append(_read_one(settings, source, load.load_id))
                    except InputError as error:
                        unreadable.append((load.load_id, error.line()))
                    except Exception as error:  # a reader bug must not block every later load
                        unreadable.append(
                            (
                                load.load_id,
                                f"{load.file_name}: could not be read ({type(error).__name__}: {str(error)[:200]})",
                            )
                        )
                    if len(batch) + len(unreadable) >= BATCH_FILES or index == len(pending):
                        if writing is not None:
                            writing.result()  # in order, and a writer error stops the reading
                        writing = writer.submit(write, batch, unreadable, index)
                        batch, unreadable = [], []
                if writing is not None:
                    writing.result()
        if failures:
            more = f" (and {len(failures) - 1} more failed files)" if len(failures) > 1 else ""
            raise dg.Failure(description=failures[0] + more)
        return dg.MaterializeResult(
            metadata={
                "files": len(done),
                "rows": sum(d["rows"] for d in done),
                "quarantined_rows": sum(d["quarantined"] for d in done),
                "landing_files": dg.MetadataValue.json(done[:50]),
            }
        )

    return parse_files


def build_monthly_asset(source: ExportSource) -> dg.AssetsDefinition:
    """``raw.<name>``, partitioned by month: for each site-month, the rows of the newest file."""

    # Single-run backfills are what this asset is built for; Dagster marks the parameter beta
    # and would print a BetaWarning at every import (CLI, `dagster dev`).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        as_monthly_asset = dg.asset(
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

    @as_monthly_asset
    def monthly(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        first, last = context.partition_key_range.start, context.partition_key_range.end
        with connect(settings.work_db) as con:
            ensure_tables(con, source.name)
            real = con.execute(
                "select count(*) > 0 from meta.loads where source = ? and not is_demo "
                "and status in ('parsed', 'loaded', 'published')",
                [source.name],
            ).fetchone()[0]
            con.execute("begin")
            con.execute(f"delete from raw.{source.name} where month between ? and ?", [first, last])
            con.execute(
                f"insert into raw.{source.name} {winners_sql(source.name, source.date_column)}", [first, last, real]
            )
            counts = con.execute(
                f"select strftime(month, '%Y-%m-01'), count(*) from raw.{source.name} where month between ? and ? group by 1",
                [first, last],
            ).fetchall()
            now = datetime.now(UTC)
            by_month = dict(counts)
            for key in context.partition_keys:
                con.execute(
                    f"insert or replace into raw.{source.name}_months values (?, ?, ?)",
                    [key, now, by_month.get(key, 0)],
                )
            con.execute(
                f"""update meta.loads set status = 'loaded', updated_at = ? where status = 'parsed' and load_id in
                    (select distinct load_id from raw.{source.rows_table} where month between ? and ?)""",
                [now, first, last],
            )
            con.execute("commit")
        return dg.MaterializeResult(
            metadata={
                "rows": sum(by_month.values()),
                "partitions": len(context.partition_keys),
                "partition_range": f"{first} → {last}",
                "demo": not real,
                "rows_by_month": dg.MetadataValue.json(by_month),
            }
        )

    return monthly


FILES_ASSETS = [build_files_asset(source) for source in EXPORT_SOURCES]
MONTHLY_ASSETS = [build_monthly_asset(source) for source in EXPORT_SOURCES]
