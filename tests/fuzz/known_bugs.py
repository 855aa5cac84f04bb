"""Failures the fuzz tests found in readers this suite does not own (``ingestion/insee``), each
recognised by a precise signature, so that the fuzz test keeps guarding everything else.

A case that hits one is counted and named in the run's summary line instead of failing the
test; ``FSW_FUZZ_STRICT=1`` turns that off. Each bug also has a minimal reproduction in
``test_known_bugs.py``, a strict xfail: when the reader is fixed it passes, fails as XPASS,
and its entry here and there is to be removed.

None is left: the INSEE readers' six known bugs are fixed (their reproductions in
``test_known_bugs.py`` now pass); the hooks stay, returning None, for the next one.
"""

from __future__ import annotations

from pathlib import Path

# ---------------------------------------------------------------------------------------------
# legal populations (ingestion/insee/populations.py)


def populations(error: BaseException, path: Path, *, delimiter: str = ";") -> str | None:
    """No known bug left in this reader: every failure fails the test."""
    return None


# ---------------------------------------------------------------------------------------------
# EPCI composition (ingestion/insee/epci.py)


def epci(error: BaseException, path: Path) -> str | None:
    """No known bug left in this reader: every failure fails the test."""
    return None


# ---------------------------------------------------------------------------------------------
# COG (ingestion/insee/cog.py)


def cog(error: BaseException, path: Path, *, delimiter: str = ",") -> str | None:
    """No known bug left in this reader: every failure fails the test."""
    return None
