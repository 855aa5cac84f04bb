"""The barometer reader on mutated barometer files: no traceback, every France Services row accounted for.

Seeds: samples of the five real Etalab barometer files (national and regional detail,
national, regional and departmental synthesis: 20 France Services rows and a few of other
indicators each) and two built files in the same layouts. The reader keeps, by design, the
rows of indicator ``nb-labellisations-france-services`` only, and quarantines nothing (a bad
value fails the file). Accounting rule (see ``tests/fuzz/accounting.py``): rows read = the
data records whose ``id_indicateur`` is that indicator; each must come back as a loaded row
(its ``source_row``: the line it starts on; a synthesis row gives a count and a target, two
output rows from one source row).
"""

from __future__ import annotations

from hypothesis import given

from ingestion.barometer import read_barometer
from tests.fuzz import accounting
from tests.fuzz.harness import (
    FUZZ_SETTINGS,
    Accounting,
    Stats,
    Unaccountable,
    check_case,
    run_fuzz,
)
from tests.fuzz.readers import cases, text_records, write_case
from tests.fuzz.seeds import barometer_seeds

INDICATOR = "nb-labellisations-france-services"


def barometer_rows(path, delimiter: str) -> list:
    records = [record for record in text_records(path, delimiter) if not record.blank]
    if not records:
        raise Unaccountable("the reader accepted a file without a header")
    header = [accounting.normalise(cell) for cell in records[0].cells]
    if "id indicateur" not in header:
        raise Unaccountable("the reader accepted a file without an id_indicateur column")
    column = header.index("id indicateur")
    return [
        (None, record.line)
        for record in records[1:]
        if column < len(record.cells) and record.cells[column].strip() == INDICATOR
    ]


def barometer_accounting(result) -> Accounting:
    return Accounting(loaded=[(None, int(row)) for row in result.rows["source_row"].drop_duplicates()], rejected=[])


def test_barometer_reader_accounts_for_every_row(case_file, request):
    seeds = barometer_seeds()
    stats = Stats("barometer", seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        check_case(
            stats,
            path,
            read=read_barometer,
            account=barometer_accounting,
            expected_rows=lambda p: barometer_rows(p, case[0].delimiter),
            case=case,
        )

    run_fuzz(stats, request.node.nodeid, run)
