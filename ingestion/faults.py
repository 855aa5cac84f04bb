"""Fault injection for the crash-safety tests: ``FSW_CRASH_AT=<point>`` kills the process there.

The points sit where a real crash would hurt most (half-landed file, half-written raw table,
dbt building, serving file being replaced). Unset in normal use: a no-op.
"""

from __future__ import annotations

import os
import signal

POINTS = ("landing", "raw_load", "dbt_build", "publish")


def crash_point(name: str) -> None:
    """SIGKILL this process group if ``FSW_CRASH_AT`` names this point (tests only)."""
    if os.environ.get("FSW_CRASH_AT") == name:
        os.killpg(os.getpgrp(), signal.SIGKILL)
