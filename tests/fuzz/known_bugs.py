"""Failures the fuzz tests found in readers this suite does not own (``ingestion/insee``), each
recognised by a precise signature, so that the fuzz test keeps guarding everything else.

A case that hits one is counted and named in the run's summary line instead of failing the
test; ``FSW_FUZZ_STRICT=1`` turns that off. Each bug also has a minimal reproduction in
``test_known_bugs.py``, a strict xfail: when the reader is fixed it passes, fails as XPASS,
and its entry here and there is to be removed.
"""

from __future__ import annotations

from pathlib import Path

from tests.fuzz import accounting
from tests.fuzz.harness import AccountingError


def _workbook_rows(path: Path, sheet: str):
    sheets = accounting.read_back_workbook(path)
    if sheets is None:
        from tests.fuzz.harness import written_twin

        twin = written_twin(path)
        sheets = accounting.read_back_workbook(twin) if twin is not None else None
    return None if sheets is None else sheets.get(sheet)


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

COG_ROW_WITHOUT_TYPECOM = "COG: a row with an empty TYPECOM skipped silently"


def cog(error: BaseException, path: Path, *, delimiter: str = ",") -> str | None:
    if not isinstance(error, AccountingError) or error.phantom or not error.missing:
        return None
    text = accounting.decode(path.read_bytes()) or ""
    records = [r for r in accounting.csv_records(text, delimiter) if not r.blank]
    header = next((i for i, r in enumerate(records[:5]) if accounting.has_labels(r.cells, [["TYPECOM"], ["COM"]])), None)
    if header is None:
        return None
    column = [accounting.normalise(cell) for cell in records[header].cells].index("typecom")
    empty = [r for r in records[header + 1:] if column >= len(r.cells) or not r.cells[column].strip()]
    return COG_ROW_WITHOUT_TYPECOM if len(empty) == len(error.missing) else None
