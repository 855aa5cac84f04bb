"""Full refresh of the demo on Apache Spark beside DuckDB (issue 20).

A new home gets ``fsw demo --months N`` and ``fsw run`` on DuckDB (the full refresh: land,
parse, gates, dbt, publish). A copy of it, without its serving file, lake or Spark folder,
then runs ``FSW_ENGINE=spark fsw run``: nothing new to land, so its wall time is the Spark
build (lake export, dbt on a local Spark of 2 cores, Python models, tests) and the publish.
The dbt steps of each run are timed from its progress lines (``▶ dbt_models`` to ``✓ dbt_models_after_computed``), and
the two serving files are compared mart by mart (rows and column checksums).

    python -m benchmarks.spark_refresh --home /tmp/fswbench/spark --months 36

Needs the ``[spark]`` extra. Prints one JSON object; the last figures are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration.mart_checksums import relation_checksums
from orchestration.publish import PUBLISHED_PREFIXES

STEP = re.compile(r"^\[\s*([\d.]+)s\] ([▶✓]) (dbt_models|dbt_models_after_computed)$")


def _fsw(home: Path, engine: str, months: int, *args: str) -> tuple[float, str]:
    """Run ``fsw ARGS`` on ``home`` with ``engine``; (wall seconds, stderr)."""
    env = {**os.environ, "FSW_HOME": str(home), "FSW_ENGINE": engine, "FSW_DEMO_MONTHS": str(months)}
    env.pop("DAGSTER_HOME", None)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"fsw {' '.join(args)} on {engine} failed: {done.stderr.strip().splitlines()[-1:]}")
    return time.perf_counter() - start, done.stderr


def _dbt_seconds(progress: str) -> float | None:
    """Seconds from the start of the first dbt step to the end of the second in a run's
    progress lines (the tables computed in Python run between them)."""
    marks = {}
    for line in progress.splitlines():
        found = STEP.match(line.strip())
        if found:
            marks[(found.group(3), found.group(2))] = float(found.group(1))
    first, last = ("dbt_models", "▶"), ("dbt_models_after_computed", "✓")
    return round(marks[last] - marks[first], 1) if first in marks and last in marks else None


def _marts(home: Path) -> dict[str, dict]:
    with duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True) as con:
        names = con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()
        return {
            name: relation_checksums(con, f'main."{name}"')
            for (name,) in sorted(names)
            if name.startswith(PUBLISHED_PREFIXES)
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a scratch folder (emptied)")
    parser.add_argument("--months", type=int, default=36)
    options = parser.parse_args()
    shutil.rmtree(options.home, ignore_errors=True)
    on_duckdb, on_spark = options.home / "duckdb", options.home / "spark"
    demo_seconds, _ = _fsw(on_duckdb, "duckdb", options.months, "demo", "--months", str(options.months))
    duckdb_seconds, duckdb_progress = _fsw(on_duckdb, "duckdb", options.months, "run")
    shutil.copytree(on_duckdb, on_spark, ignore=shutil.ignore_patterns("serving", ".publish", "lake", "spark"))
    spark_seconds, spark_progress = _fsw(on_spark, "spark", options.months, "run")
    expected, got = _marts(on_duckdb), _marts(on_spark)
    print(
        json.dumps(
            {
                "months": options.months,
                "demo_s": round(demo_seconds, 1),
                "duckdb_fsw_run_s": round(duckdb_seconds, 1),
                "duckdb_dbt_step_s": _dbt_seconds(duckdb_progress),
                "spark_fsw_run_s": round(spark_seconds, 1),
                "spark_dbt_step_s": _dbt_seconds(spark_progress),
                "fct_demand_rows": expected.get("fct_demand", {}).get("rows"),
                "marts_equal": got == expected,
                "marts_differing": sorted(name for name in expected if got.get(name) != expected[name]),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
