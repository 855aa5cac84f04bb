"""The cost curve: full refresh time and peak memory at 12, 36 and 120 months, and at 2× the sites.

    .venv/bin/python -m benchmarks.scaling --home /tmp/fswbench/scaling

For each case, a new home: `fsw demo --months M --sites S`, then `fsw run` (timed, with the
peak resident memory of its process tree). The activity and satisfaction rows of the home
give the time per million rows. Results go to ``benchmarks/results/scaling.json`` and the
plot to ``benchmarks/results/scaling.png``; ``--report`` prints the README table from them.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import duckdb

from benchmarks import run_benchmarks
from benchmarks.common import FSW, fsw_env, machine, save_json
from benchmarks.run_benchmarks import run_timed, step_durations

CASES = (("12 months", 12, 2845), ("36 months", 36, 2845), ("120 months", 120, 2845), ("36 months, 2× sites", 36, 5690))


def _rows(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "work.duckdb"), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in ("activity", "satisfaction")
        }


def measure(home: Path, label: str, months: int, sites: int) -> dict:
    """One case on a new home: the demo, then the timed refresh."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = {**fsw_env(home), "FSW_DEMO_MONTHS": str(months)}
    demo = run_timed([FSW, "demo", "--months", str(months), "--sites", str(sites)], env, home.parent / "demo.log")
    refresh = run_timed([FSW, "run"], env, home.parent / f"run-{months}-{sites}.log")
    rows = _rows(home)
    million = (rows["activity"] + rows["satisfaction"]) / 1e6
    steps = step_durations(refresh["stderr"])
    return {
        "case": label,
        "months": months,
        "sites": sites,
        "rows": rows,
        "demo_s": round(demo["wall_s"], 1),
        "refresh_s": round(refresh["wall_s"], 1),
        "refresh_cpu_s": round(refresh["cpu_s"], 1),
        "peak_rss_gb": refresh["peak_rss_gb"],
        "peak_processes": refresh["peak_processes"][:4],
        "s_per_million_rows": round(refresh["wall_s"] / million, 2),
        "loadavg": [refresh["loadavg_before"], refresh["loadavg_after"]],
        "slowest_steps": dict(sorted(steps.items(), key=lambda item: -item[1])[:6]),
    }


def plot(results: list[dict], path: Path) -> None:
    """Refresh seconds and peak GB against millions of rows, one point per case."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (time_axis, memory_axis) = plt.subplots(1, 2, figsize=(10, 4))
    for case in results:
        million = (case["rows"]["activity"] + case["rows"]["satisfaction"]) / 1e6
        for axis, value in ((time_axis, case["refresh_s"]), (memory_axis, case["peak_rss_gb"])):
            axis.scatter(million, value)
            axis.annotate(case["case"], (million, value), textcoords="offset points", xytext=(4, 4), fontsize=8)
    line = sorted(results, key=lambda case: case["months"] * case["sites"])
    xs = [(c["rows"]["activity"] + c["rows"]["satisfaction"]) / 1e6 for c in line]
    time_axis.plot(xs, [c["refresh_s"] for c in line], alpha=0.3)
    memory_axis.plot(xs, [c["peak_rss_gb"] for c in line], alpha=0.3)
    memory_axis.axhline(3 * 1024**3 / 1e9, linestyle="--", color="grey", linewidth=1)
    time_axis.set(xlabel="activity + satisfaction rows (millions)", ylabel="fsw run (s)", title="Full refresh time")
    memory_axis.set(xlabel="activity + satisfaction rows (millions)", ylabel="peak RSS (GB)", title="Peak memory")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def report(results: list[dict]) -> str:
    """The README table."""
    lines = [
        "| case | activity rows | refresh | s per M rows | peak RSS | slowest steps |",
        "|---|---|---|---|---|---|",
    ]
    for case in results:
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in list(case["slowest_steps"].items())[:3])
        lines.append(
            f"| {case['case']} | {case['rows']['activity']:,} | {case['refresh_s']:.0f} s | "
            f"{case['s_per_million_rows']:.2f} | {case['peak_rss_gb']:.2f} GB | {steps} |"
        )
    return "\n".join(lines)


def run_cases(home: Path, wanted) -> list[dict]:
    """Measure the cases ``wanted`` (indexes into ``CASES``), each saved as soon as measured with
    the earlier results of the others; the plot redrawn. Returns every case measured so far."""
    path = run_benchmarks.RESULTS / "scaling.json"
    previous = json.loads(path.read_text(encoding="utf-8"))["cases"] if path.exists() else []
    results = {case["case"]: case for case in previous}
    ordered = [results[name] for name, *_ in CASES if name in results]
    for index in wanted:
        label, months, sites = CASES[index]
        results[label] = measure(home / "home", label, months, sites)
        print(json.dumps(results[label]), flush=True)
        ordered = [results[name] for name, *_ in CASES if name in results]
        save_json(path, {"machine": machine(), "cases": ordered})
        plot(ordered, run_benchmarks.RESULTS / "scaling.png")
    return ordered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("/tmp/fswbench/scaling"))
    parser.add_argument("--cases", default="all", help="comma-separated indexes into the cases (0-3), or all")
    parser.add_argument("--report", action="store_true")
    options = parser.parse_args()
    path = run_benchmarks.RESULTS / "scaling.json"
    if options.report:
        print(report(json.loads(path.read_text(encoding="utf-8"))["cases"]))
        return
    wanted = range(len(CASES)) if options.cases == "all" else [int(index) for index in options.cases.split(",")]
    ordered = run_cases(options.home, wanted)
    print(report(ordered))


if __name__ == "__main__":
    main()
