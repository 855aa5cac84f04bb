"""The satisfaction reader on mutated exports: no traceback, and every answer read is loaded or quarantined.

Seeds: one month of demo exports (`;` cp1252 scores, `,` UTF-8 BOM labels) and the hand-made
fixtures, plus a small workbook with a title row. Accounting rule: see
``tests/fuzz/accounting.py``; the header is the first line holding a site, a date and a
satisfaction column, under any of the names the reader documents.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given

from ingestion.satisfaction.reader import read_satisfaction
from tests.fuzz.harness import FUZZ_SETTINGS, Stats, check_case, run_fuzz
from tests.fuzz.readers import cases, read_result_accounting, table_rows, write_case
from tests.fuzz.seeds import satisfaction_seeds

TODAY = dt.date(2025, 1, 1)
LABELS = [
    ["Matricule", "id_fs", "Identifiant France services", "Code structure"],
    ["Date de réponse", "Date"],
    ["Satisfaction"],
]


def test_satisfaction_reader_accounts_for_every_row(demo_exports, case_file, request):
    seeds = satisfaction_seeds(demo_exports)
    delimiters = {seed.name: getattr(seed, "delimiter", ";") for seed in seeds}
    stats = Stats("satisfaction", seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        check_case(
            stats,
            path,
            read=lambda p: read_satisfaction(p, today=TODAY),
            account=read_result_accounting,
            expected_rows=lambda p: table_rows(p, delimiters[case[0].name], LABELS),
            case=case,
        )

    run_fuzz(stats, request.node.nodeid, run)
