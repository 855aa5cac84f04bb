"""One writer of a warehouse home at a time: the lock file ``FSW_HOME/.fsw.lock``.

Whoever writes the work DB holds it exclusively: an `fsw` command for its whole life, a run
launched by `dagster dev` (a sensor or schedule) for the run's duration. `fsw status` takes it
shared for the moment it reads the work DB; an inbox sensor's tick takes it for the moment it
lands files and skips the tick when a command holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from pathlib import Path

from ingestion.errors import InputError

LOCK_NAME = ".fsw.lock"
COMMAND_WAIT_SECONDS = 3.0  # a command waits out `fsw status` or a sensor tick, not another run

_held: dict[Path, object] = {}  # home → open lock file, held by this process


def holds_home(home: Path) -> bool:
    """Whether this process already holds the home's lock."""
    return Path(home).resolve() in _held


def hold_home(home: Path, *, wait_seconds: float = COMMAND_WAIT_SECONDS, waiting=None) -> None:
    """Take the home's lock exclusively for this process (until ``release_home`` or exit).

    Refused in one line after ``wait_seconds`` when someone else holds it; ``waiting`` (a
    callable) is told once when the wait begins.
    """
    home = Path(home).resolve()
    if home in _held:
        return
    handle = open(home / LOCK_NAME, "a")
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise InputError(f"another fsw command is running on {home}; try again when it ends") from None
            if waiting is not None and not told:
                waiting()
                told = True
            time.sleep(0.1)
    _held[home] = handle


def release_home(home: Path) -> None:
    """Give the home's lock back (a run launched by the daemon, at its end)."""
    handle = _held.pop(Path(home).resolve(), None)
    if handle is not None:
        handle.close()


@contextlib.contextmanager
def home_if_free(home: Path, *, shared: bool = False) -> Iterator[bool]:
    """Hold the home's lock for the block if nobody does; yields whether it was free."""
    home = Path(home).resolve()
    if home in _held:
        yield True
        return
    with open(home / LOCK_NAME, "a") as handle:
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
