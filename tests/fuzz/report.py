"""A pytest plugin that prints, at the end of the run, how many cases each fuzz test tried.

Registered from ``tests/conftest.py`` (``pytest_plugins``) so that it runs in the xdist
controller too, which never imports ``tests/fuzz/conftest.py`` when the suite is run from
the root. Each fuzz test calls ``record()``; under xdist a worker sends its lines to the
controller in ``workeroutput`` when it finishes, and the controller prints them all in the
terminal summary (plain prints of the workers are swallowed).
"""

from __future__ import annotations

import pytest

_LINES: dict[str, str] = {}


def record(key: str, line: str) -> None:
    """Keep ``line`` (one per fuzz test, ``key`` its node id) for the terminal summary."""
    _LINES[key] = line


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the lines to the controller
        workeroutput["fuzz_lines"] = dict(_LINES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    _LINES.update(getattr(node, "workeroutput", {}).get("fuzz_lines", {}))


def pytest_terminal_summary(terminalreporter) -> None:
    if getattr(terminalreporter.config, "workeroutput", None) is not None or not _LINES:
        return
    terminalreporter.section("fuzz cases")
    for key in sorted(_LINES):
        terminalreporter.write_line(_LINES[key])
