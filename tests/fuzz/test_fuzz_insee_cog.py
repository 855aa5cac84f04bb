"""The INSEE COG commune list reader (``v_commune_YYYY.csv``) on mutated files: no traceback,
every COM, ARM, COMA and COMD row read accounted for.

Seeds, accounting rule and known bugs: ``insee_oracles.py``.
"""

from __future__ import annotations

from hypothesis import given

from ingestion.insee import read_cog_communes
from tests.fuzz import known_bugs
from tests.fuzz.harness import FUZZ_SETTINGS, Stats, check_case, run_fuzz
from tests.fuzz.insee_oracles import cog_accounting, cog_rows
from tests.fuzz.readers import cases, write_case
from tests.fuzz.seeds import cog_seeds


def test_cog_reader_accounts_for_every_row(case_file, request):
    seeds = cog_seeds()
    stats = Stats("INSEE COG", seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        check_case(
            stats,
            path,
            read=read_cog_communes,
            account=cog_accounting,
            expected_rows=lambda p: cog_rows(p, case[0].delimiter),
            case=case,
            known_bugs=lambda error, p: known_bugs.cog(error, p, delimiter=case[0].delimiter),
        )

    run_fuzz(stats, request.node.nodeid, run)
