"""The INSEE legal populations reader (``ensemble.xlsx``, ``donnees_communes.csv``) on mutated
files: no traceback, every commune row read loaded or in the notes.

Seeds, accounting rule and known bugs: ``insee_oracles.py``.
"""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import known_bugs
from tests.fuzz.harness import FUZZ_SETTINGS, Stats, check_case, run_fuzz
from tests.fuzz.insee_oracles import populations_accounting, populations_rows, read_populations
from tests.fuzz.readers import cases, is_workbook, write_case
from tests.fuzz.seeds import populations_csv_seeds, populations_seeds


def test_legal_populations_reader_accounts_for_every_row(tmp_path, case_file, request):
    seeds = populations_seeds(tmp_path) + populations_csv_seeds()
    stats = Stats("INSEE legal populations", seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        workbook = is_workbook(path)
        check_case(
            stats,
            path,
            read=read_populations,
            account=lambda result: populations_accounting(result, workbook=workbook),
            expected_rows=lambda p: populations_rows(p, case[0]),
            case=case,
            known_bugs=lambda error, p: known_bugs.populations(error, p, delimiter=getattr(case[0], "delimiter", ";")),
        )

    run_fuzz(stats, request.node.nodeid, run)
