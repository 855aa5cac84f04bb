"""Shared fixtures: a temporary FSW_HOME, the real-data folder, running the `fsw` CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = PROJECT_ROOT.parent / "shared" / "real-data"

# prints how many cases each fuzz test tried, from the xdist controller too (tests/fuzz/report.py)
pytest_plugins = ["tests.fuzz.report"]

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def real_file(*parts: str) -> Path:
    """Path of a real published file, or skip the test with the reason."""
    path = REAL_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (../shared/real-data is absent on a fresh clone)")
    return path


@pytest.fixture
def fsw_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty warehouse home for one test."""
    home = tmp_path / "warehouse"
    monkeypatch.setenv("FSW_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return home


def run_fsw(home: Path, *args: str, timeout: int = 600, demo_months: int = 1) -> subprocess.CompletedProcess:
    """Run the `fsw` CLI in its own process, as a user would, on ``home``.

    ``demo_months`` of demo exports (default 1, 0 for none) keep end-to-end tests quick.
    """
    env = {
        **os.environ,
        "FSW_DEMO_MONTHS": str(demo_months),
        "FSW_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def last_line(text: str) -> str:
    """The last non-empty line of a command's stderr."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
