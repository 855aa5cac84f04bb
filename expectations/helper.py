"""Great Expectations in a forked helper process, so that its import runs beside the command's work.

Importing GX costs about 2 s of one core, and every `fsw` command that loads data validates
something. ``start`` forks the command once, at its beginning: the child imports GX on the
other core while the parent imports Dagster, lands and parses files; ``run_suite`` then
sends each validation to the child and waits for its outcome. The child is in the command's
process group (a crash point's kill ends both) and exits as soon as its end of the pipe
closes: when the command calls ``stop``, ends or dies. Without a helper (the Dagster UI,
tests that call the checks directly) or if it is gone, suites run in the calling process.
"""

from __future__ import annotations

import os
from multiprocessing.connection import Connection, Pipe

_HELPER: tuple[int, Connection] | None = None


def start() -> None:
    """Fork the helper (once per process). Call it before the process holds locks or threads."""
    global _HELPER
    if _HELPER is not None:
        return
    ours, theirs = Pipe()
    pid = os.fork()
    if pid == 0:
        ours.close()
        _serve(theirs)  # never returns
    theirs.close()
    _HELPER = (pid, ours)


def stop() -> None:
    """Close the pipe (the helper exits) and reap the helper."""
    global _HELPER
    if _HELPER is None:
        return
    pid, ours = _HELPER
    _HELPER = None
    ours.close()
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def validate(name: str, frame, docs_dir, params: dict):
    """The helper's ``SuiteOutcome`` of suite ``name`` on ``frame``; None when there is no helper."""
    if _HELPER is None:
        return None
    _, ours = _HELPER
    try:
        ours.send((name, frame, docs_dir, params))
        status, value = ours.recv()
    except (EOFError, OSError):  # the helper is gone: the caller runs the suite itself
        stop()
        return None
    if status == "error":
        raise value
    return value


def _serve(theirs: Connection) -> None:
    """The helper's life: import GX, then answer validations until the pipe closes."""
    code = 0
    try:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations  # noqa: F401  (the import this process exists for)

        from expectations.runner import run_suite_here

        while True:
            try:
                name, frame, docs_dir, params = theirs.recv()
            except EOFError:
                break
            try:
                reply = ("ok", run_suite_here(name, frame, docs_dir=docs_dir, **params))
            except Exception as error:  # the caller raises it, as if the suite had run there
                reply = ("error", error)
            try:
                theirs.send(reply)
            except Exception as error:  # an exception that does not pickle
                theirs.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # never run the parent's code (atexit, Dagster, pytest) in the child
