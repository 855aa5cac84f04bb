"""The INSEE EPCI composition reader (``EPCI_au_01-01-YYYY.xlsx``) on mutated workbooks: no
traceback, every commune row and every EPCI read accounted for.

Seeds, accounting rule and known bugs: ``insee_oracles.py``.
"""

from __future__ import annotations

from ingestion.insee import read_epci_composition
from tests.fuzz.insee_oracles import epci_accounting, epci_rows
from tests.fuzz.readers import fuzz_reader
from tests.fuzz.seeds import epci_seeds


def test_epci_reader_accounts_for_every_row(tmp_path, case_file, request):
    seeds = epci_seeds(tmp_path)
    fuzz_reader(
        "INSEE EPCI",
        seeds,
        read=read_epci_composition,
        account=lambda result, _: epci_accounting(result),
        expected_rows=lambda p, _: epci_rows(p),
        case_file=case_file,
        request=request,
    )
