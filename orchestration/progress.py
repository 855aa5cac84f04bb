"""Concise progress on stderr for CLI runs: one line per step and check, counters inside long steps.

Only what the warehouse says reaches the terminal: step starts and ends, check outcomes, the
warnings our assets log, and the counters of long steps (files parsed n/N, dbt models n/N),
drawn as a bar on a terminal and as a line every few seconds in a log. Dagster's own engine
messages (the run's DEBUG events, "Dependencies for step … failed … Not executing.") are
left to the run's event log in the UI.
"""

from __future__ import annotations

import logging
import re
import sys
import time

import dagster as dg

_START = time.monotonic()
PROGRESS_PREFIX = "progress: "
_PROGRESS = re.compile(rf"^{PROGRESS_PREFIX}(?P<label>.+) (?P<done>\d+)/(?P<total>\d+)$")
LOG_EVERY_SECONDS = 5.0
BAR_WIDTH = 24


def report_progress(log, label: str, done: int, total: int) -> None:
    """Say how far a long step is (``label done/total``): a bar on the CLI, a line in the UI's log."""
    log.info(f"{PROGRESS_PREFIX}{label} {done}/{total}")


def elapsed() -> str:
    """The ``[  12.3s]`` stamp of every progress line (seconds since the command started)."""
    return f"[{time.monotonic() - _START:6.1f}s]"


class _ProgressHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self._bar_open = False  # a bar is drawn on the current terminal line
        self._last_logged: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = getattr(record, "dagster_event", None) or meta.get("dagster_event")
        if event is not None:
            line = _event_line(event)
        else:
            message = meta.get("orig_message") or record.getMessage()
            counter = _PROGRESS.match(message)
            if counter:
                self._counter(counter["label"], int(counter["done"]), int(counter["total"]))
                return
            # Warnings our assets log (a refused inbox file, a corrected INSEE file). Dagster's
            # engine speaks at ERROR level about steps it skips: the step's own line says it.
            line = f"! {message[:300]}" if record.levelno == logging.WARNING else None
        if line:
            self._print(f"{elapsed()} {line}")

    def _print(self, text: str) -> None:
        if self._bar_open:
            sys.stderr.write("\n")
            self._bar_open = False
        print(text, file=sys.stderr, flush=True)

    def _counter(self, label: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            filled = BAR_WIDTH * done // max(total, 1)
            bar = "█" * filled + "░" * (BAR_WIDTH - filled)
            sys.stderr.write(f"\r{elapsed()}   {label} {bar} {done:,}/{total:,}")
            sys.stderr.flush()
            self._bar_open = done < total
            if done >= total:
                sys.stderr.write("\n")
            return
        now = time.monotonic()
        if done >= total or now - self._last_logged.get(label, _START) >= LOG_EVERY_SECONDS:
            self._last_logged[label] = now
            self._print(f"{elapsed()}   {label} {done:,}/{total:,}")


def _event_line(event) -> str | None:
    kind = event.event_type_value
    step = event.step_key or ""
    if kind == "STEP_START":
        return f"▶ {step}"
    if kind == "STEP_SUCCESS":
        return f"✓ {step}"
    if kind == "STEP_FAILURE":
        return f"✗ {step}"
    if kind == "STEP_SKIPPED":
        return f"- {step} skipped (an upstream gate failed)"
    if kind == "ASSET_CHECK_EVALUATION":
        data = event.event_specific_data
        status = "passed" if data.passed else ("warns" if data.severity.value == "WARN" else "FAILED")
        if not data.passed or data.check_name.startswith("gx_"):
            return f"  check {data.asset_key.to_user_string()}:{data.check_name} {status}"
    return None


@dg.logger(description="One concise line per step and check on stderr (the `fsw` CLI's progress).")
def progress_logger(_context) -> logging.Logger:
    """A logger printing step starts/ends, check outcomes and the counters of long steps."""
    logger = logging.getLogger("fsw.progress")
    logger.setLevel(logging.DEBUG)
    if not logger.handlers:
        logger.addHandler(_ProgressHandler())
    logger.propagate = False
    return logger
