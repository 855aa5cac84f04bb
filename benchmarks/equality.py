"""Proof that the optimisations changed no result: two homes built from the same demo compared
table by table (rows and per-column checksums).

The benchmark home (built by ``run_benchmarks``: DuckDB capped at ``FSW_DUCKDB_MEMORY_LIMIT``'s
default, the new month in one ``fsw ingest exports``) is compared with a *reference* home built
the way the warehouse ran before issue 21: the same ``fsw demo`` and held-out month, DuckDB
uncapped (``FSW_DUCKDB_MEMORY_LIMIT`` far above what a build uses), the new month in two
commands (``fsw ingest activity``, then ``fsw ingest satisfaction``).

Compared: every table of the serving file (the marts, ``fsw_loads`` the ledger,
``fsw_quarantine``) and the work DB's ``meta.loads`` and ``meta.quarantine``. Left out, because
they say *when* or *which run*, not *what*: columns of a timestamp type, ``load_id`` (a
timestamp and a random suffix; quarantine rows are matched through their file's name and
sha256 instead), ``run_id``; and the sha256 and size of the demo's XLSX files: a workbook's bytes
hold the time it was written (zip entry times), so two demos of the same rows differ there
(their names, rows loaded and quarantined are still compared).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from benchmarks.common import FSW, fsw_env
from benchmarks.run_benchmarks import reset_home, run_timed
from orchestration.mart_checksums import relation_checksums

WHEN_COLUMNS = ("load_id", "run_id")
# sha256 and size of a ledger row, blanked for a workbook (its bytes hold its writing time)
LEDGER = (
    "(select * replace (case when file_name ilike '%.xlsx' then null else sha256 end as sha256, "
    "case when file_name ilike '%.xlsx' then null else size_bytes end as size_bytes) from {table})"
)
# Far above what any build of the benchmark home uses: the behaviour before the cap.
UNCAPPED = "20GB"


def _comparable(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """``select`` of ``relation`` without its timestamp and run-identity columns."""
    columns = con.execute(f"describe select * from {relation}").fetchall()
    kept = [
        '"' + name.replace('"', '""') + '"'
        for name, data_type, *_ in columns
        if not data_type.startswith("TIMESTAMP") and name not in WHEN_COLUMNS
    ]
    return f"(select {', '.join(kept)} from {relation})"


def home_checksums(home: Path) -> dict[str, dict]:
    """Checksums of every serving table and of the work DB's ledger and quarantine."""
    out: dict[str, dict] = {}
    with duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True) as con:
        tables = [row[0] for row in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        for table in tables:
            relation = f'main."{table}"'
            if table == "fsw_loads":
                relation = LEDGER.format(table=relation)
            out[f"serving.{table}"] = relation_checksums(con, _comparable(con, relation))
    with duckdb.connect(str(home / "work.duckdb"), read_only=True) as con:
        out["work.meta.loads"] = relation_checksums(con, _comparable(con, LEDGER.format(table="meta.loads")))
        quarantine = (
            "(select q.*, l.file_name as load_file_name, l.sha256 as load_sha256 "
            f"from meta.quarantine q left join {LEDGER.format(table='meta.loads')} l using (load_id))"
        )
        out["work.meta.quarantine"] = relation_checksums(con, _comparable(con, quarantine))
    return out


def differences(left: dict[str, dict], right: dict[str, dict]) -> list[str]:
    """One line per table (or column) that differs between two ``home_checksums``."""
    lines = []
    for table in sorted(set(left) | set(right)):
        a, b = left.get(table), right.get(table)
        if a is None or b is None:
            lines.append(f"{table}: only in {'the reference' if a is None else 'the benchmark home'}")
            continue
        for column in sorted(set(a) | set(b)):
            if a.get(column) != b.get(column):
                lines.append(f"{table}.{column}: {a.get(column)} != {b.get(column)}")
    return lines


def compare(home: Path, reference: Path) -> dict:
    """``home_checksums`` of both homes and their ``differences``."""
    ours, theirs = home_checksums(home), home_checksums(reference)
    diff = differences(ours, theirs)
    return {
        "tables": len(ours),
        "rows": {table: sums["rows"] for table, sums in ours.items()},
        "differences": diff,
        "equal": not diff,
    }


def build_reference(home: Path, holdout: Path, months: int, log_dir: Path) -> dict:
    """The reference home: same demo and held-out month, DuckDB uncapped, the month in two commands."""
    from benchmarks.prepare import prepare

    reset_home(home, holdout)
    env = {**fsw_env(home), "FSW_DUCKDB_MEMORY_LIMIT": UNCAPPED}
    timings = {}
    timings["demo_s"] = run_timed([FSW, "demo", "--months", str(months)], env, log_dir / "equality_demo.log")["wall_s"]
    prepare(home, holdout, months)
    run = run_timed([FSW, "run"], env, log_dir / "equality_run.log")
    timings["run_s"], timings["run_peak_rss_gb"] = run["wall_s"], run["peak_rss_gb"]
    for source in ("activity", "satisfaction"):
        files = sorted(str(p) for p in (holdout / source).glob("*"))
        # run_timed raises with the log's path when the command fails
        result = run_timed([FSW, "ingest", source, *files], env, log_dir / f"equality_ingest_{source}.log")
        timings[f"ingest_{source}_s"] = result["wall_s"]
    return timings
