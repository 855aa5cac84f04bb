"""Benchmark 5: rows/s of the parse step (fsw's reader, one process) vs DuckDB read_csv."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb

from benchmarks.floor import ACT_NAMES, _csv, classify


def fsw_reader(paths: list[Path]) -> dict:
    """``ingestion.activity.read_activity`` over every file, CSV and XLSX timed apart."""
    from ingestion.activity.reader import read_activity as read

    out = {"csv": {"files": 0, "rows": 0, "seconds": 0.0}, "xlsx": {"files": 0, "rows": 0, "seconds": 0.0}}
    today = date.today()
    for path in paths:
        with open(path, "rb") as handle:
            kind = "xlsx" if handle.read(4) == b"PK\x03\x04" else "csv"
        start = time.perf_counter()
        result = read(path, today=today)
        out[kind]["seconds"] += time.perf_counter() - start
        out[kind]["files"] += 1
        out[kind]["rows"] += len(result.rows) + len(result.rejects)
    for part in out.values():
        part["rows_per_s"] = part["rows"] / part["seconds"] if part["seconds"] else None
    total_rows = out["csv"]["rows"] + out["xlsx"]["rows"]
    total_s = out["csv"]["seconds"] + out["xlsx"]["seconds"]
    out["all"] = {"rows": total_rows, "seconds": total_s, "rows_per_s": total_rows / total_s}
    return out


def duckdb_read(paths: list[Path], threads: int) -> dict:
    """DuckDB read_csv of the same CSV files (all text, like the reader's first pass, then
    typed: dates parsed, counts cast), materialised as a table."""
    kinds = classify(paths)
    con = duckdb.connect()
    con.execute(f"set threads = {threads}")
    parts = []
    if kinds["semicolon"]:
        parts.append(
            f"select site, try_strptime(day, '%d/%m/%Y') d, partner, theme, channel, try_cast(requests as bigint) r, try_cast(resolved as bigint) v from {_csv(kinds['semicolon'], ';', 'latin-1', ACT_NAMES)}"
        )
    if kinds["comma"]:
        parts.append(
            f"select site, try_strptime(day, '%Y-%m-%d'), partner, theme, channel, try_cast(requests as bigint), try_cast(resolved as bigint) from {_csv(kinds['comma'], ',', 'utf-8', ACT_NAMES, quote=chr(34))}"
        )
    if kinds["tab"]:
        parts.append(
            f"select site, try_strptime('01/' || day, '%d/%m/%Y'), partner, theme, channel, try_cast(replace(requests, '\u202f', '') as bigint), try_cast(replace(resolved, '\u202f', '') as bigint) from {_csv(kinds['tab'], chr(9), 'utf-8', ACT_NAMES)}"
        )
    start = time.perf_counter()
    con.execute("create temp table t as " + " union all ".join(parts))
    seconds = time.perf_counter() - start
    rows = con.execute("select count(*) from t where site is not null").fetchone()[0]
    con.close()
    return {
        "threads": threads,
        "files": sum(len(kinds[k]) for k in ("semicolon", "comma", "tab")),
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
    }


def measure(paths: list[Path]) -> dict:
    ours = fsw_reader(paths)
    one = duckdb_read(paths, threads=1)
    two = duckdb_read(paths, threads=2)
    return {
        "fsw": ours,
        "duckdb_1_thread": one,
        "duckdb_default_threads": two,
        "ratio_csv_vs_duckdb_1_thread": ours["csv"]["rows_per_s"] / one["rows_per_s"],
        "ratio_csv_vs_duckdb_2_threads": ours["csv"]["rows_per_s"] / two["rows_per_s"],
    }
