"""How each fuzz test turns a drawn case into a file, and the oracles that count its rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import accounting
from tests.fuzz.harness import (
    FUZZ_SETTINGS,
    Accounting,
    GridSeed,
    Stats,
    TextSeed,
    Unaccountable,
    check_case,
    run_fuzz,
    write_grid,
)
from tests.fuzz.mutations import (
    apply_all,
    geojson_mutations,
    text_file_mutations,
    workbook_mutations,
)


def cases(seeds: Sequence) -> st.SearchStrategy:
    """(seed, mutations) pairs: text mutations for text seeds, cell then byte ones for workbooks."""

    def for_seed(seed):
        if isinstance(seed, GridSeed):
            mutations = workbook_mutations()
        elif seed.suffix == ".geojson":
            mutations = geojson_mutations()
        else:
            mutations = text_file_mutations()
        return st.tuples(st.just(seed), mutations)

    return st.sampled_from(list(seeds)).flatmap(for_seed)


def write_case(case, case_file) -> Path:
    seed, mutations = case
    if isinstance(seed, TextSeed):
        return case_file(apply_all(mutations, seed.data, seed), seed.suffix)
    cell_mutations, byte_mutations = mutations
    grid = seed.fresh_grid()
    for mutation in cell_mutations:
        mutation.apply(grid, seed)
    path = case_file(b"", seed.suffix)
    path.with_name(path.stem + ".written" + path.suffix).unlink(missing_ok=True)  # the last case's
    write_grid(grid, path)
    if byte_mutations:
        written = path.read_bytes()
        case_file(written, ".written" + seed.suffix)  # for harness.written_twin
        path = case_file(apply_all(byte_mutations, written, seed), seed.suffix)
    return path


def is_workbook(path: Path) -> bool:
    """As the readers tell: the zip signature, or an .xlsx name."""
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04" or path.suffix.lower() in {".xlsx", ".xlsm"}


def text_records(path: Path, delimiter: str) -> list[accounting.Record]:
    text = accounting.decode(path.read_bytes())
    if text is None:
        raise Unaccountable("the reader accepted a file that is neither UTF-8 nor cp1252")
    try:
        return accounting.csv_records(text, delimiter)
    except Exception as error:  # csv.Error: Python's csv module cannot cut it into records
        raise Unaccountable(f"the reader accepted a file Python's csv module cannot read: {error}") from None


def table_rows(path: Path, delimiter: str, labels) -> list:
    """Keys ``(sheet, row)`` of the data rows of an export: a CSV (sheet None, row = line; the
    header is a line) or every sheet of a workbook that has the header (sheet name, Excel row)."""
    if is_workbook(path):
        sheets = accounting.read_back_workbook(path)
        if sheets is None:
            raise Unaccountable("the reader accepted a workbook openpyxl cannot read")
        keys = []
        for sheet, rows in sheets.items():
            _, numbers = accounting.grid_data_rows(rows, labels)
            keys.extend((sheet, number) for number in numbers)
        return keys
    text = accounting.decode(path.read_bytes())
    if text is None:
        raise Unaccountable("the reader accepted a file that is neither UTF-8 nor cp1252")
    header = accounting.header_line(text, delimiter, labels)
    if header is None:
        raise Unaccountable("the reader accepted a file in which no line holds the required columns")
    try:
        records = accounting.records_after_line(text, delimiter, header)
    except Exception as error:  # csv.Error
        raise Unaccountable(f"the reader accepted a file Python's csv module cannot read: {error}") from None
    return [(None, record.line) for record in records if not record.blank]


def _sheet_key(sheet) -> str | None:
    return sheet if isinstance(sheet, str) else None


def read_result_accounting(result) -> Accounting:
    """Activity and satisfaction ``ReadResult``: rows and rejects by (sheet, row)."""
    rows, rejects = result.rows, result.rejects
    loaded = [(_sheet_key(s), int(r)) for s, r in zip(rows["source_sheet"], rows["source_row"])]
    rejected = [(_sheet_key(s), int(r)) for s, r in zip(rejects["sheet"], rejects["row"])]
    return Accounting(loaded, rejected)


def fuzz_reader(
    name: str,
    seeds: Sequence,
    *,
    read: Callable[[Path], object],
    account: Callable[[object, Path], Accounting],
    expected_rows: Callable[[Path, object], list],
    case_file,
    request,
) -> None:
    """The fuzz property of one reader over mutations of ``seeds``, with its summary line.

    ``account(result, path)`` lists what the reader loaded and rejected; ``expected_rows(path,
    seed)`` is the oracle's list of data rows of the mutated file written from ``seed``.
    """
    stats = Stats(name, seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        check_case(
            stats,
            path,
            read=read,
            account=lambda result: account(result, path),
            expected_rows=lambda p: expected_rows(p, case[0]),
            case=case,
        )

    run_fuzz(stats, request.node.nodeid, run)
