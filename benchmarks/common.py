"""Shared helpers of the benchmarks (not part of the test suite)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

# The project's own venv, as the README's install command makes it (FSW_BENCH_VENV for another).
VENV = Path(os.environ.get("FSW_BENCH_VENV", Path(__file__).resolve().parents[1] / ".venv"))
FSW = str(VENV / "bin" / "fsw")
PYTHON = str(VENV / "bin" / "python")


def machine() -> dict:
    """nproc, CPU model, RAM, Python and library versions."""
    import duckdb
    import numpy
    import pandas
    import pyarrow

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    versions = {
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "numpy": numpy.__version__,
    }
    for name in ("dagster", "dbt-core", "dbt-duckdb", "scipy"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001
            pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(Path(__file__).resolve().parents[1]), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(Path(__file__).resolve().parents[1]),
                    "status",
                    "--porcelain",
                    "--untracked-files=no",
                ],
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
    except OSError:
        commit, dirty = "", False
    return {
        "git_commit": commit + ("+dirty" if dirty else ""),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        **versions,
    }


@contextmanager
def timer(out: dict, key: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        out[key] = time.perf_counter() - start


def run_cmd(args: list[str], env: dict, log: Path) -> tuple[float, str]:
    """Run a command, return (wall seconds, stderr text); stderr saved under ``log``."""
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    log.write_text(f"$ {' '.join(args)}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}", encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed ({done.returncode}); see {log}")
    return wall, done.stderr


def fsw_env(home: Path) -> dict:
    env = dict(os.environ)
    env["FSW_HOME"] = str(home)
    env.pop("DAGSTER_HOME", None)
    return env


def month_before(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def save_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
