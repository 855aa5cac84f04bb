"""Run the `fsw` CLI in processes that can be killed, without paying Python's imports each time.

Every run is a new process, started in its own session (a crash point's
``os.killpg(getpgrp(), SIGKILL)`` kills it and its dbt child, never pytest), and runs the
CLI's own entry point with the environment given. The processes are forked from a
multiprocessing fork server that imported the CLI, Dagster, dbt's Dagster integration and
Great Expectations once (about 8 s that every `python -m orchestration.cli` pays again): the
code that runs, and the files it touches, are those of a user's `fsw` command; only the
imports were done earlier. ``warm_up`` starts the server early, so that it imports while the
caller prepares its inputs.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRELOAD = ["orchestration.cli", "orchestration.runner", "orchestration.definitions", "great_expectations"]
_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        from orchestration.runner import ensure_dbt_manifest

        ensure_dbt_manifest()  # the definitions the fork server preloads read dbt's manifest
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _CONTEXT = context
    return _CONTEXT


def warm_up() -> None:
    """Start the fork server now: it imports while the caller does something else."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def _run_cli(args: list[str], env: dict[str, str], out: str, err: str) -> None:
    """In the child: own session, the given environment and output files, then `fsw ARGS`."""
    os.setsid()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(PROJECT_ROOT)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)
    from orchestration.cli import main

    main.main(args=args, prog_name="fsw", standalone_mode=True)


@dataclass
class FswProcess:
    """A started `fsw` command; ``finish`` waits for it and returns what it did."""

    process: multiprocessing.Process
    out: Path
    err: Path
    home: Path
    args: tuple[str, ...]
    started: float = field(default_factory=time.monotonic)
    started_at: float = field(default_factory=time.time)
    pid: int = field(init=False)

    def __post_init__(self) -> None:
        self.pid = self.process.pid  # also the process group's id (the child calls setsid)

    def poll(self) -> int | None:
        return self.process.exitcode

    def finish(self, timeout: float) -> dict:
        """Wait (kill the group on timeout): rc (-9 when killed), stdout, stderr, survivors, seconds."""
        self.process.join(timeout)
        timed_out = self.process.exitcode is None
        if timed_out:
            kill_group(self.pid)
            self.process.join()
        result = {
            "rc": self.process.exitcode,
            "stdout": _read(self.out),
            "stderr": _read(self.err),
            "survivors": group_survivors(self.pid),
            "seconds": round(time.monotonic() - self.started, 1),
            "started_at": self.started_at,
            "ended_at": time.time(),
            "timed_out": timed_out,
        }
        self.process.close()
        print(
            f"[fsw_processes] fsw {' '.join(self.args)} on {self.home.name}: rc {result['rc']} in {result['seconds']} s",
            file=sys.stderr,
            flush=True,
        )
        return result


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def start_fsw(home: Path, *args: str, env: dict[str, str], logs: Path) -> FswProcess:
    """Start `fsw ARGS` on ``home`` with ``env`` (FSW_HOME and DAGSTER_HOME are set here)."""
    env = {**env, "FSW_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    logs.mkdir(parents=True, exist_ok=True)
    stem = logs / f"{home.name}-{time.monotonic_ns()}"
    out, err = Path(f"{stem}.stdout"), Path(f"{stem}.stderr")
    process = _context().Process(target=_run_cli, args=(list(args), env, str(out), str(err)), daemon=False)
    process.start()
    return FswProcess(process, out, err, home, args)


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def group_survivors(pgid: int) -> bool:
    """True if a process of the CLI's group (dbt, a worker…) outlived it: killed, and reported."""
    for _ in range(50):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    kill_group(pgid)
    return True
