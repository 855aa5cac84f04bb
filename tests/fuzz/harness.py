"""Seeds, the per-case check and the run loop shared by the fuzz tests.

A fuzz test draws a seed (a small real or demo file) and a few mutations, writes the mutated
file, runs the reader on it and checks, for every case:

* no traceback: the reader either returns or raises ``InputError`` whose message is one
  non-empty line;
* for an accepted file, the accounting of ``tests/fuzz/accounting.py``: rows read (counted
  without the reader) = rows loaded + distinct rows quarantined, each loaded row a distinct
  source row, every source row the reader names one of the file's data rows.
"""

from __future__ import annotations

import os
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

from ingestion.errors import InputError
from tests.fuzz import report

MIN_CASES = int(os.environ.get("FSW_FUZZ_EXAMPLES", "300"))
STRICT = os.environ.get("FSW_FUZZ_STRICT") == "1"
"""``FSW_FUZZ_STRICT=1``: a case hitting a known bug (``check_case(known_bugs=...)``) fails like any other."""
SURVEY = os.environ.get("FSW_FUZZ_SURVEY") == "1"
"""Survey mode (``FSW_FUZZ_SURVEY=1``, for a person hunting bugs): failures are collected by
kind, with the shortest case of each, instead of stopping at the first; the test then fails
listing them."""

FUZZ_SETTINGS = settings(
    max_examples=MIN_CASES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@dataclass(frozen=True)
class TextSeed:
    """A small text file to mutate: its bytes, encoding, delimiter and header line (0-based)."""

    name: str
    data: bytes = field(repr=False)
    encoding: str = "utf-8"
    delimiter: str = ";"
    header_line: int = 0
    suffix: str = ".csv"

    @property
    def delimiter_bytes(self) -> bytes:
        return self.delimiter.encode("ascii")

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding, errors="replace")

    def decode(self, data: bytes) -> str:
        return data.decode(self.encoding, errors="replace")

    def __repr__(self) -> str:
        return f"TextSeed({self.name!r})"

    def _repr_pretty_(self, printer, cycle) -> None:  # what hypothesis prints for a failing case
        printer.text(repr(self))


@dataclass(frozen=True)
class GridSeed:
    """A small workbook to mutate cell by cell: sheet -> rows; ``header_rows``: sheet -> 0-based header row."""

    name: str
    grid: dict = field(repr=False)
    header_rows: dict = field(repr=False)
    suffix: str = ".xlsx"
    encoding: str = "utf-8"

    def fresh_grid(self) -> dict:
        return {sheet: [list(row) for row in rows] for sheet, rows in self.grid.items()}

    def __repr__(self) -> str:
        return f"GridSeed({self.name!r})"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))


def write_grid(grid: dict, path: Path) -> None:
    """The grid as an XLSX workbook, every sheet from A1."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet, rows in grid.items():
        worksheet = workbook.create_sheet(sheet)
        for row in rows:
            worksheet.append(list(row))
    if not grid:
        workbook.create_sheet("Feuil1")
    workbook.save(path)


def text_sample(data: bytes, *, encoding: str, header_line: int = 0, head: int = 24, tail: int = 6) -> bytes:
    """The title and header lines, the first ``head`` and last ``tail`` data lines of a file
    that has no quoted line ends (demo exports): small enough for fast cases, with the bad
    rows the demo generator appends at the end."""
    lines = data.split(b"\n")
    while lines and not lines[-1].strip():
        lines.pop()
    top, body = lines[: header_line + 1], lines[header_line + 1 :]
    if len(body) > head + tail:
        body = body[:head] + body[-tail:]
    return b"\n".join(top + body) + b"\n"  # the lines keep their CR, if any


class Unaccountable(AssertionError):
    """The reader accepted a file whose rows the oracle cannot count (itself a failure)."""


@dataclass
class Stats:
    """What one fuzz test saw: cases, accepted and refused files, known bugs hit."""

    reader: str
    seeds: list = field(default_factory=list, repr=False)
    cases: int = 0
    accepted: int = 0
    refused: int = 0
    rows_read: int = 0
    known: Counter = field(default_factory=Counter)
    survey: dict = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def line(self, failed: bool = False) -> str:
        seconds = time.perf_counter() - self.started
        known = ""
        if self.known:
            known = "; known bugs hit: " + ", ".join(f"{name} x{count}" for name, count in sorted(self.known.items()))
        verb = "FAILED after" if failed else "survived" if not self.known else "ran"
        real = sum(seed.name.startswith("real:") for seed in self.seeds)
        origin = (
            f" from {len(self.seeds)} seeds, {real} real" if real else f" from {len(self.seeds)} seeds, no real one"
        )
        return (
            f"fuzz: {self.reader} reader {verb} {self.cases} cases (rows accounted for in {self.accepted} accepted "
            f"files, {self.rows_read} rows; {self.refused} refused with a one-line InputError{known}){origin}, in {seconds:.1f} s"
        )


@dataclass(frozen=True)
class Accounting:
    """What the reader returned, reduced to source-row keys: ``(sheet or None, row)``."""

    loaded: list
    rejected: list


def check_case(
    stats: Stats,
    path: Path,
    read: Callable[[Path], object],
    account: Callable[[object], Accounting],
    expected_rows: Callable[[Path], list],
    known_bugs: Callable[[BaseException, Path], str | None] | None = None,
    case: object = None,
) -> None:
    """Run one case (see the module docstring); ``expected_rows`` is the oracle's list of data-row keys."""
    if not SURVEY:
        return _check_case(stats, path, read, account, expected_rows, known_bugs)
    if os.environ.get("FSW_FUZZ_SURVEY_KNOWN", "1") == "1":
        known_bugs = None  # a survey lists every failure, known or not (FSW_FUZZ_SURVEY_KNOWN=0: the new ones only)
    try:
        _check_case(stats, path, read, account, expected_rows, known_bugs)
    except Exception as error:
        kind = _kind(error)
        example = repr(case)
        if kind not in stats.survey or len(example) < len(stats.survey[kind][1]):
            stats.survey[kind] = (str(error).splitlines()[0][:300], example, stats.survey.get(kind, (0, 0, 0))[2] + 1)
        else:
            message, example, count = stats.survey[kind]
            stats.survey[kind] = (message, example, count + 1)


def _kind(error: BaseException) -> str:
    import re

    if isinstance(error, AssertionError):
        return "accounting: " + re.sub(r"\d+", "N", str(error).split(";")[0])[:80]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/ingestion/" in f.filename]
    where = (
        f"{Path(frames[-1].filename).parent.name}/{Path(frames[-1].filename).name}:{frames[-1].lineno}"
        if frames
        else "?"
    )
    return f"{type(error).__name__} at {where}"


def _check_case(stats, path, read, account, expected_rows, known_bugs) -> None:
    stats.cases += 1
    try:
        result = read(path)
    except InputError as error:
        message = str(error)
        assert message.strip(), "InputError with an empty message"
        assert "\n" not in message and "\r" not in message, f"InputError message on several lines: {message!r}"
        stats.refused += 1
        return
    except Exception as error:
        name = known_bugs(error, path) if known_bugs and not STRICT else None
        if name is None:
            raise
        stats.known[name] += 1
        return
    try:
        got = account(result)
        try:
            expected = expected_rows(path)
        except Unaccountable as error:
            expected = _rows_of_twin(path, read, account, expected_rows, got, error)
        check_accounting(got, expected)
    except AssertionError as error:
        name = known_bugs(error, path) if known_bugs and not STRICT else None
        if name is None:
            raise
        stats.known[name] += 1
        return
    stats.accepted += 1
    stats.rows_read += len(expected)


def written_twin(path: Path) -> Path | None:
    """The workbook of a case as written, before its bytes were mutated (see ``readers.write_case``)."""
    twin = path.with_name(path.stem + ".written" + path.suffix)
    return twin if twin.exists() else None


def _rows_of_twin(path: Path, read, account, expected_rows, got: Accounting, error: Unaccountable) -> list:
    """The oracle could not read a workbook whose bytes were mutated and that the reader
    accepted (calamine reads only the parts it needs; openpyxl reads them all). If the reader
    gives the same rows for the file as written, the mutation spared what it reads: count the
    rows of that file. Else the reader read something else: unaccountable."""
    twin = written_twin(path)
    if twin is None:
        raise error
    try:
        same = account(read(twin)) == got
    except InputError:
        same = False
    if not same:
        raise Unaccountable(
            "the reader accepted a mutated workbook that openpyxl cannot read, and read other rows from it than from the workbook as written"
        )
    return expected_rows(twin)


class AccountingError(AssertionError):
    """Rows read and rows the reader returned disagree; ``missing``: rows of the file the reader
    does not name, ``phantom``: rows the reader names that the file does not have."""

    def __init__(self, message: str, *, missing: set, phantom: set) -> None:
        super().__init__(message)
        self.missing, self.phantom = missing, phantom


def check_accounting(got: Accounting, expected: list) -> None:
    loaded = set(got.loaded)
    twice = sorted((k for k, n in Counter(got.loaded).items() if n > 1), key=str)
    if twice:
        raise AccountingError(f"a source row loaded twice: {twice[:5]}", missing=set(), phantom=set(twice))
    quarantined = set(got.rejected) - loaded
    missing = set(expected) - loaded - quarantined
    phantom = (loaded | quarantined) - set(expected)
    if len(expected) != len(got.loaded) + len(quarantined):
        raise AccountingError(
            f"rows read {len(expected)} != rows loaded {len(got.loaded)} + rows quarantined {len(quarantined)}; "
            f"rows never accounted for: {sorted(missing, key=str)[:8]}; rows the file does not have: {sorted(phantom, key=str)[:8]}",
            missing=missing,
            phantom=phantom,
        )
    if missing or phantom:
        raise AccountingError(
            f"row numbers differ: the reader names rows {sorted(phantom, key=str)[:8]} "
            f"where the file's data rows {sorted(missing, key=str)[:8]} are",
            missing=missing,
            phantom=phantom,
        )


def run_fuzz(stats: Stats, nodeid: str, test: Callable[[], None]) -> None:
    """Run the hypothesis ``test``, record its summary line (failed or not), and fail if it
    tried fewer cases than promised."""
    try:
        test()
    except BaseException:
        report.record(nodeid, stats.line(failed=True))
        raise
    report.record(nodeid, stats.line())
    if stats.survey:
        lines = [
            f"{kind} (x{count}): {message}\n    {example}"
            for kind, (message, example, count) in sorted(stats.survey.items())
        ]
        raise AssertionError(f"{len(stats.survey)} kinds of failure:\n" + "\n".join(lines))
    assert stats.cases >= MIN_CASES, f"only {stats.cases} cases tried (expected at least {MIN_CASES})"


def frames_of(error: BaseException) -> list[str]:
    """``file:function`` of each frame of the error's traceback (for known-bug signatures)."""
    return [f"{Path(frame.filename).name}:{frame.name}" for frame in traceback.extract_tb(error.__traceback__)]
