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

from ingestion.barometer import read_barometer
from tests.fuzz import accounting
from tests.fuzz.harness import Accounting, Unaccountable
from tests.fuzz.readers import fuzz_reader, text_records
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
    fuzz_reader(
        "barometer",
        seeds,
        read=read_barometer,
        account=lambda result, _: barometer_accounting(result),
        expected_rows=lambda p, seed: barometer_rows(p, seed.delimiter),
        case_file=case_file,
        request=request,
    )
