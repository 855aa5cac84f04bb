"""The INSEE EPCI composition reader (``EPCI_au_01-01-YYYY.xlsx``) on mutated workbooks: no
traceback, every commune row and every EPCI read accounted for.

Seeds, accounting rule and known bugs: ``insee_oracles.py``.
"""

from __future__ import annotations

from hypothesis import given

from ingestion.insee import read_epci_composition
from tests.fuzz import known_bugs
from tests.fuzz.harness import FUZZ_SETTINGS, Stats, check_case, run_fuzz
from tests.fuzz.insee_oracles import epci_accounting, epci_rows
from tests.fuzz.readers import cases, write_case
from tests.fuzz.seeds import epci_seeds


def test_epci_reader_accounts_for_every_row(tmp_path, case_file, request):
    seeds = epci_seeds(tmp_path)
    stats = Stats("INSEE EPCI", seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        check_case(
            stats,
            path,
            read=read_epci_composition,
            account=epci_accounting,
            expected_rows=epci_rows,
            case=case,
            known_bugs=known_bugs.epci,
        )

    run_fuzz(stats, request.node.nodeid, run)
