"""Run the five benchmarks on one scratch warehouse home, all on the same data.

    .venv/bin/python -m benchmarks.run_benchmarks --home /tmp/fswbench/home

(from the project root). Phases, in order (``--phases`` to run some of them again on an
existing home): refresh, floor, new_month, throughput, bi, bi_load, equality (the benchmark home
against a reference home built without the optimisations), scaling (the cost curve, new homes),
coverage (the nearest-site computation against brute force). Results go to
``benchmarks/results/<phase>.json``; ``--report`` prints the README table from them.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

from benchmarks.common import FSW, fsw_env, machine, save_json

RESULTS = Path(__file__).resolve().parent / "results"
PHASES = ("refresh", "floor", "new_month", "throughput", "bi", "bi_load", "equality", "scaling", "coverage")
STEP_LINE = re.compile(r"^\[\s*([\d.]+)s\] ([▶✓✗]) (\S+)")


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _sample_tree_rss(pid: int, stop: threading.Event, peak: list) -> None:
    """Keep in ``peak[0]`` the largest resident set of ``pid`` and its descendants (every 0.5 s),
    and in ``peak[1]`` what each process of the tree held at that moment (name, GB)."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        total, parts = 0, []
        try:
            for process in [root, *root.children(recursive=True)]:
                try:
                    rss = process.memory_info().rss
                    total += rss
                    parts.append((" ".join(process.cmdline()[:3])[-80:], round(rss / 1e9, 2)))
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        if total > peak[0]:
            peak[0], peak[1] = total, sorted(parts, key=lambda part: -part[1])
        stop.wait(0.5)


def run_timed(args: list[str], env: dict, log: Path) -> dict:
    """Run a command; wall time, CPU time and peak resident memory of the child tree, stderr
    lines stamped on arrival."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = loadavg()
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, stop = [0, []], threading.Event()
    sampler = threading.Thread(target=_sample_tree_rss, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    stamped = []
    for line in proc.stderr:
        stamped.append((time.perf_counter() - start, line.rstrip("\n")))
    stdout = proc.stdout.read()
    code = proc.wait()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    log.write_text("\n".join(f"{t:8.2f} {line}" for t, line in stamped) + "\n--- stdout\n" + stdout, encoding="utf-8")
    if code != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({code}); see {log}")
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_rss_gb": round(peak[0] / 1e9, 2),
        "peak_processes": peak[1],
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "stderr": stamped,
    }


def step_durations(stamped: list[tuple[float, str]]) -> dict:
    """Seconds of each Dagster step, from the CLI's progress lines (▶ start, ✓ success)."""
    starts, out = {}, {}
    for _, line in stamped:
        match = STEP_LINE.match(line)
        if not match:
            continue
        t, mark, step = float(match.group(1)), match.group(2), match.group(3)
        if mark == "▶":
            starts[step] = t
        elif step in starts:
            out[step] = round(t - starts.pop(step), 2)
    return out


def phases_of_cli(stamped: list[tuple[float, str]]) -> dict:
    """Where the wall time of one CLI call went: before the first Dagster step (landing, imports,
    dbt parse), the steps (first start → last end), after (summary)."""
    step_times = [t for t, line in stamped if STEP_LINE.match(line)]
    if not step_times:
        return {}
    return {"until_first_step_s": round(step_times[0], 2), "steps_span_s": round(step_times[-1] - step_times[0], 2)}


def landing_span(work_db: Path, since: str | None = None) -> dict:
    """First to last landed_at of the loads recorded (since ``since``): the landing loop's span."""
    import duckdb

    con = duckdb.connect(str(work_db), read_only=True)
    try:
        where = f"where landed_at > '{since}'" if since else ""
        first, last, n = con.execute(
            f"select min(landed_at), max(landed_at), count(*) from meta.loads {where}"
        ).fetchone()
    finally:
        con.close()
    first, last = (datetime.fromisoformat(str(x)) for x in (first, last))
    return {"files": n, "span_s": (last - first).total_seconds()}


def landed_files(home: Path, source: str, exclude_month: str | None = None) -> list[Path]:
    files = [
        p for p in (home / "landing" / source).glob("*/*") if p.name != "manifest.json" and not p.name.startswith(".")
    ]
    if exclude_month:
        files = [p for p in files if f"_{exclude_month}." not in p.name]
    return sorted(files, key=lambda p: p.name)


def reset_home(home: Path, holdout: Path) -> None:
    """An empty scratch ``home`` (only ever deleted under /tmp/) and no ``holdout`` folder."""
    if home.exists():
        if not str(home).startswith("/tmp/"):
            raise SystemExit(f"refusing to delete {home} (not under /tmp)")
        shutil.rmtree(home)
    shutil.rmtree(holdout, ignore_errors=True)
    home.mkdir(parents=True)


def phase_refresh(home: Path, holdout: Path, months: int = 36) -> dict:
    from benchmarks.prepare import prepare

    reset_home(home, holdout)
    env = fsw_env(home)
    demo = run_timed([FSW, "demo", "--months", str(months)], env, RESULTS / "demo.log")
    prep = prepare(home, holdout, months)
    run = run_timed([FSW, "run"], env, RESULTS / "run.log")
    target = home / "dbt" / "target" / "run_results.json"
    if target.exists():
        shutil.copy(target, RESULTS / "run_results_refresh.json")
    return {
        "demo": {k: v for k, v in demo.items() if k != "stderr"},
        "prepare": prep,
        "run": {k: v for k, v in run.items() if k != "stderr"},
        "run_steps": step_durations(run["stderr"]),
        "run_phases": phases_of_cli(run["stderr"]),
        "landing": landing_span(home / "work.duckdb"),
        "dbt": _dbt_summary(RESULTS / "run_results_refresh.json"),
    }


def _dbt_summary(path: Path) -> dict:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = sorted(((r["unique_id"], r.get("execution_time") or 0) for r in data["results"]), key=lambda x: -x[1])
    return {
        "elapsed_s": data.get("elapsed_time"),
        "nodes": len(rows),
        "tests_s": sum(t for u, t in rows if u.startswith("test.")),
        "models_s": sum(t for u, t in rows if u.startswith("model.")),
        "top": [(u.split(".")[-1], round(t, 2)) for u, t in rows[:12]],
    }


def _xlsx_share(work_db: Path, months: tuple[str, str] | None = None) -> dict:
    import duckdb

    con = duckdb.connect(str(work_db), read_only=True)
    try:
        where = f"where month between date '{months[0]}' and date '{months[1]}'" if months else ""
        total, xlsx = con.execute(
            f"select count(*), count(*) filter (where source_sheet is not null) from raw.activity_rows {where}"
        ).fetchone()
    finally:
        con.close()
    return {"rows": total, "xlsx_rows": xlsx}


def phase_floor(home: Path, holdout_month: str) -> dict:
    from benchmarks.floor import run_floor

    act = landed_files(home, "activity", holdout_month)
    sat = landed_files(home, "satisfaction", holdout_month)
    result = run_floor(act, sat, home / "serving" / "warehouse.duckdb", Path("/tmp/fswbench_floor.duckdb"))
    share = _xlsx_share(home / "work.duckdb")
    csv_rows = share["rows"] - share["xlsx_rows"]
    # scale the activity read up to the XLSX rows it did not read
    result["xlsx_rows_not_read"] = share["xlsx_rows"]
    result["scaled_total_s"] = result["total_s"] + result["read_activity_s"] * share["xlsx_rows"] / max(csv_rows, 1)
    return result


def phase_new_month(home: Path, holdout: Path, holdout_month: str) -> dict:
    from benchmarks.floor import run_floor

    env = fsw_env(home)
    out = {}
    # One command for the month of both sources (`fsw ingest exports`: each file's source from its header).
    files = sorted(str(p) for source in ("activity", "satisfaction") for p in (holdout / source).glob("*"))
    result = run_timed([FSW, "ingest", "exports", *files], env, RESULTS / "ingest_exports.log")
    out["exports"] = {k: v for k, v in result.items() if k != "stderr"}
    out["exports"]["files"] = len(files)
    out["exports"]["steps"] = step_durations(result["stderr"])
    out["exports"]["phases"] = phases_of_cli(result["stderr"])
    target = home / "dbt" / "target" / "run_results.json"
    if target.exists():
        shutil.copy(target, RESULTS / "run_results_ingest_exports.json")
        out["exports"]["dbt"] = _dbt_summary(RESULTS / "run_results_ingest_exports.json")
    out["total_wall_s"] = out["exports"]["wall_s"]
    month = f"{holdout_month}-01"
    floor = run_floor(
        sorted((holdout / "activity").glob("*")),
        sorted((holdout / "satisfaction").glob("*")),
        home / "serving" / "warehouse.duckdb",
        Path("/tmp/fswbench_floor_month.duckdb"),
        months=(month, month),
    )
    share = _xlsx_share(home / "work.duckdb", (month, month))
    floor["scaled_total_s"] = floor["total_s"] + floor["read_activity_s"] * share["xlsx_rows"] / max(
        share["rows"] - share["xlsx_rows"], 1
    )
    out["floor"] = floor
    return out


def phase_coverage(home: Path) -> dict:
    from benchmarks.coverage import measure

    return measure(home / "work.duckdb", RESULTS / "run_results_refresh.json")


def phase_bi(home: Path) -> dict:
    from benchmarks.bi import measure

    return measure(home / "serving" / "warehouse.duckdb")


def phase_bi_load(home: Path) -> dict:
    from benchmarks.bi_load import measure

    # A full refresh of everything landed (no new file): the longest publish a reader meets.
    return measure(home / "serving" / "warehouse.duckdb", [FSW, "run"], fsw_env(home), RESULTS / "bi_load_refresh.log")


def phase_equality(home: Path, months: int) -> dict:
    from benchmarks.equality import build_reference, compare

    reference = home.parent / "reference"
    timings = build_reference(reference, home.parent / "reference-holdout", months, RESULTS)
    return {"reference": timings, **compare(home, reference)}


def phase_scaling(home: Path) -> dict:
    from benchmarks.scaling import CASES, run_cases

    return {"machine": machine(), "cases": run_cases(home.parent / "scaling", range(len(CASES)))}


def phase_throughput(home: Path, holdout_month: str) -> dict:
    from benchmarks.throughput import measure

    return measure(landed_files(home, "activity", holdout_month))


def report() -> str:
    """The README table: issue 21's five targets in its order, then the equality proof and the
    older benchmarks (20 BI questions, coverage) when measured."""
    r = {p: json.loads((RESULTS / f"{p}.json").read_text()) for p in PHASES if (RESULTS / f"{p}.json").exists()}
    # only the phases of the last run (the commit machine.json was written for): one run, one table
    commit = (
        json.loads((RESULTS / "machine.json").read_text()).get("git_commit")
        if (RESULTS / "machine.json").exists()
        else None
    )
    # ("+dirty": the results folder itself, written during the run)
    r = {
        phase: result
        for phase, result in r.items()
        if commit is None or str(result.get("git_commit", "")).split("+")[0] == commit.split("+")[0]
    }
    lines = ["| # | benchmark | measured | floor | ratio | target | result |", "|---|---|---|---|---|---|---|"]
    if "refresh" in r and "floor" in r:
        ours, floor = r["refresh"]["run"]["wall_s"], r["floor"]["scaled_total_s"]
        peak = r["refresh"]["run"].get("peak_rss_gb", float("nan"))
        span = r["refresh"].get("prepare", {}).get("refresh_months", "36 months")
        ok = ours / floor <= 1.5 and peak <= 3 * 1024**3 / 1e9
        lines.append(
            f"| 1 | full refresh (`fsw run`, {span}) | {ours:.0f} s (+ `fsw demo` {r['refresh']['demo']['wall_s']:.0f} s), "
            f"peak RSS {peak:.2f} GB | {floor:.1f} s | {ours / floor:.1f}× | ≤ 1.5× and ≤ 3 GiB (3.22 GB) | "
            f"{'pass' if ok else 'MISS'} |"
        )
    if "new_month" in r:
        nm = r["new_month"]
        ours, floor = nm["total_wall_s"], nm["floor"]["scaled_total_s"]
        lines.append(
            f"| 2 | one new month (`fsw ingest exports`: {nm['exports']['files']} activity + satisfaction files, one command) "
            f"| {ours:.1f} s | {floor:.2f} s | {ours / floor:.0f}× | ≤ 8 s | {'pass' if ours <= 8 else 'MISS'} |"
        )
    if "throughput" in r:
        t = r["throughput"]
        ours, one = t["fsw"]["csv"]["rows_per_s"], t["duckdb_1_thread"]["rows_per_s"]
        lines.append(
            f"| 3 | parse throughput (CSV rows/s, one process) | {ours:,.0f} rows/s | DuckDB 1 thread {one:,.0f} rows/s "
            f"(2 threads {t['duckdb_default_threads']['rows_per_s']:,.0f}) | {ours / one:.2f}× | ≥ 1.0× | "
            f"{'pass' if ours / one >= 1.0 else 'MISS'} |"
        )
    if "scaling" in r:
        cases = {case["months"] if case["sites"] == 2845 else "2x": case for case in r["scaling"]["cases"]}
        if 36 in cases and 120 in cases:
            per36, per120 = cases[36]["s_per_million_rows"], cases[120]["s_per_million_rows"]
            peaks = ", ".join(f"{case['case']} {case['peak_rss_gb']:.2f} GB" for case in r["scaling"]["cases"])
            times = ", ".join(f"{case['case']} {case['refresh_s']:.0f} s" for case in r["scaling"]["cases"])
            lines.append(
                f"| 4 | cost curve (`fsw run` on new homes; `results/scaling.png`) | {per120:.1f} s per M rows at 120 months "
                f"against {per36:.1f} at 36; {times}; peak {peaks} | 36 months: {per36:.1f} s per M rows | "
                f"{per120 / per36:.2f}× | ≤ 1.2× | {'pass' if per120 / per36 <= 1.2 else 'MISS'} |"
            )
    if "bi_load" in r:
        b = r["bi_load"]
        quiet = r.get("bi", {}).get("overall", {}).get("mart_new", {}).get("p95_ms")
        lines.append(
            f"| 5 | {b['readers']} BI readers during a full refresh (`fsw run`, {b['refresh_s']:.0f} s), new read-only "
            f"connection per question | p50 {b['overall']['p50_ms']:.0f} ms, p95 {b['overall']['p95_ms']:.0f} ms over "
            f"{b['queries']:,} queries, {b['errors']} errors | one reader, no refresh: p95 "
            f"{quiet if quiet is None else round(quiet)} ms | | errors 0 | {'pass' if b['errors'] == 0 else 'MISS'} |"
        )
    if "equality" in r:
        e = r["equality"]
        lines.append(
            f"| = | same results as without the optimisations (reference home: DuckDB uncapped, the month in two "
            f"commands) | {e['tables']} tables compared (marts, ledger, quarantine): "
            f"{'all equal' if e['equal'] else str(len(e['differences'])) + ' differences'} | | | identical | "
            f"{'pass' if e['equal'] else 'MISS'} |"
        )
    if "bi" in r:
        o = r["bi"]["overall"]
        keep, new = o["mart_persistent"], o["mart_new"]
        fkeep, fnew = o["floor_persistent"], o["floor_new"]
        lines.append(
            f"| (i) | 20 BI questions on the serving DB, one reader | persistent connection p50 {keep['p50_ms']:.0f} ms, "
            f"p95 {keep['p95_ms']:.0f} ms; new connection per query p50 {new['p50_ms']:.0f} ms, p95 {new['p95_ms']:.0f} ms "
            f"| persistent p95 {fkeep['p95_ms']:.0f} ms; new p95 {fnew['p95_ms']:.0f} ms | "
            f"{keep['p95_ms'] / fkeep['p95_ms']:.2f}× / {new['p95_ms'] / fnew['p95_ms']:.2f}× | p95 ≤ 100 ms (issue 16) | "
            f"{'pass' if keep['p95_ms'] <= 100 else 'MISS'} / {'pass' if new['p95_ms'] <= 100 else 'MISS'} |"
        )
    if "coverage" in r:
        cv = r["coverage"]
        py = cv["python_nearest"]["seconds"]
        ours = cv.get("dbt_coverage_s") or py
        npb, ddb = cv["numpy_brute"]["seconds"], cv["duckdb_brute"]["scaled_all_months_any_fixed_mobile_s"]
        lines.append(
            f"| (ii) | coverage, all months | {ours:.1f} s (KD-tree alone {py:.2f} s) | numpy brute {npb:.1f} s; "
            f"DuckDB SQL brute {ddb:.0f} s | {ours / npb:.2f}× / {ours / ddb:.3f}× | ≤ 5 s (issue 16) | "
            f"{'pass' if ours <= 5 else 'MISS'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("/tmp/fswbench/home"))
    parser.add_argument("--holdout", type=Path, default=None)
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--months", type=int, default=36, help="months of demo exports (36; fewer for a smoke test)")
    parser.add_argument(
        "--results", type=Path, default=None, help="where the JSON results go (default benchmarks/results)"
    )
    args = parser.parse_args()
    global RESULTS
    if args.results:
        RESULTS = args.results
    RESULTS.mkdir(exist_ok=True)
    if args.report:
        print(report())
        return
    holdout = args.holdout or args.home.parent / "holdout"
    today = date.today()
    last = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    holdout_month = f"{last:%Y-%m}"
    save_json(RESULTS / "machine.json", {**machine(), "measured_on": datetime.now().isoformat(timespec="seconds")})
    for phase in args.phases.split(","):
        print(f"== {phase} (load {loadavg()})", file=sys.stderr, flush=True)
        start = time.perf_counter()
        if phase == "refresh":
            result = phase_refresh(args.home, holdout, args.months)
        elif phase == "floor":
            result = phase_floor(args.home, holdout_month)
        elif phase == "new_month":
            result = phase_new_month(args.home, holdout, holdout_month)
        elif phase == "coverage":
            result = phase_coverage(args.home)
        elif phase == "bi":
            result = phase_bi(args.home)
        elif phase == "throughput":
            result = phase_throughput(args.home, holdout_month)
        elif phase == "bi_load":
            result = phase_bi_load(args.home)
        elif phase == "equality":
            result = phase_equality(args.home, args.months)
        elif phase == "scaling":
            result = phase_scaling(args.home)
        else:
            raise SystemExit(f"unknown phase {phase}")
        result["loadavg_after"] = loadavg()
        result["git_commit"] = machine()["git_commit"]
        result["phase_wall_s"] = time.perf_counter() - start
        save_json(RESULTS / f"{phase}.json", result)
        print(f"   {phase} done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    print(report())


if __name__ == "__main__":
    main()
