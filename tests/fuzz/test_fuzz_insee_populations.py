"""The INSEE legal populations reader (``ensemble.xlsx``, ``donnees_communes.csv``) on mutated
files: no traceback, every commune row read loaded or in the notes.

Seeds, accounting rule and known bugs: ``insee_oracles.py``.
"""

from __future__ import annotations

from tests.fuzz.insee_oracles import populations_accounting, populations_rows, read_populations
from tests.fuzz.readers import fuzz_reader, is_workbook
from tests.fuzz.seeds import populations_csv_seeds, populations_seeds


def test_legal_populations_reader_accounts_for_every_row(tmp_path, case_file, request):
    seeds = populations_seeds(tmp_path) + populations_csv_seeds()
    fuzz_reader(
        "INSEE legal populations",
        seeds,
        read=read_populations,
        account=lambda result, p: populations_accounting(result, workbook=is_workbook(p)),
        expected_rows=populations_rows,
        case_file=case_file,
        request=request,
    )
