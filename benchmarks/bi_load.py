"""Benchmark 6: eight BI readers on serving/warehouse.duckdb while a refresh publishes.

Each reader is a process (as eight BI seats are) that asks the twenty questions of
``benchmarks.bi`` in turn, each on a new read-only connection with external access off (the
README's settings), with THINK_S between two questions, for as long as the refresh runs. A publish replaces the file with
``os.replace``: a reader opens the old file or the new one, never waits and never fails.
Reported: p50/p95 per question and overall, errors (the target is 0), the refresh's wall time.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import subprocess
import time
from pathlib import Path

import duckdb

from benchmarks.bi import pick_parameters, questions

READERS = 8
# Seconds a reader waits between two questions, as a person at a dashboard does; without it
# eight processes on two cores measure the scheduler, not the warehouse.
THINK_S = 0.5


def _reader(db: str, sqls: list[tuple[str, str]], stop, out) -> None:
    times: dict[str, list[float]] = {name: [] for name, _ in sqls}
    errors: list[str] = []
    while not stop.is_set():
        for name, sql in sqls:
            if stop.is_set():
                break
            start = time.perf_counter()
            try:
                con = duckdb.connect(db, read_only=True, config={"enable_external_access": False})
                con.execute(sql).fetchall()
                con.close()
            except duckdb.Error as error:
                errors.append(f"{name}: {error}")
                continue
            times[name].append(time.perf_counter() - start)
            stop.wait(THINK_S)
    out.put((times, errors))


def measure(db: Path, refresh: list[str], env: dict, log: Path, readers: int = READERS) -> dict:
    """Run ``refresh`` (a command) while ``readers`` processes query ``db``; the figures."""
    sqls = [(name, mart) for name, mart, _ in questions(pick_parameters(db))]
    context = mp.get_context("spawn")
    stop, out = context.Event(), context.Queue()
    workers = [context.Process(target=_reader, args=(str(db), sqls, stop, out)) for _ in range(readers)]
    for worker in workers:
        worker.start()
    time.sleep(2.0)  # the readers are querying before the refresh starts
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        done = subprocess.run(refresh, env=env, stdout=handle, stderr=subprocess.STDOUT)
    refresh_s = time.perf_counter() - start
    time.sleep(1.0)  # and after it published
    stop.set()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    per_question, errors, every = {}, [], []
    for name, _ in sqls:
        times = [t for times, _ in results for t in times[name]]
        every += times
        per_question[name] = {"n": len(times), "p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * _p95(times)}
    for _, errs in results:
        errors += errs
    return {
        "readers": readers,
        "think_s": THINK_S,
        "refresh_command": refresh,
        "refresh_exit": done.returncode,
        "refresh_s": refresh_s,
        "queries": len(every),
        "errors": len(errors),
        "error_samples": errors[:5],
        "overall": {"p50_ms": 1000 * statistics.median(every), "p95_ms": 1000 * _p95(every)},
        "questions": per_question,
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
