"""Concise progress on stderr for CLI runs: one line per step, check and failure."""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

_START = time.monotonic()


class _ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        line = None
        if event is not None:
            kind = event.event_type_value
            step = event.step_key or ""
            if kind == "STEP_START":
                line = f"▶ {step}"
            elif kind == "STEP_SUCCESS":
                line = f"✓ {step}"
            elif kind == "STEP_FAILURE":
                line = f"✗ {step}"
            elif kind == "STEP_SKIPPED":
                line = f"- {step} skipped (an upstream gate failed)"
            elif kind == "ASSET_CHECK_EVALUATION":
                data = event.event_specific_data
                status = "passed" if data.passed else ("warning" if data.severity.value == "WARN" else "FAILED")
                if not data.passed or data.check_name.startswith("gx_"):
                    line = f"  check {data.asset_key.to_user_string()}:{data.check_name} {status}"
        elif record.levelno >= logging.WARNING and "dbt" not in record.getMessage()[:20]:
            line = f"! {record.getMessage()[:300]}"
        if line:
            print(f"[{time.monotonic() - _START:6.1f}s] {line}", file=sys.stderr, flush=True)


@dg.logger(description="One concise line per step and check on stderr (the `fsw` CLI's progress).")
def progress_logger(_context) -> logging.Logger:
    """A logger printing step starts/ends and check outcomes only."""
    logger = logging.getLogger("fsw.progress")
    logger.setLevel(logging.DEBUG)
    if not logger.handlers:
        logger.addHandler(_ProgressHandler())
    logger.propagate = False
    return logger
