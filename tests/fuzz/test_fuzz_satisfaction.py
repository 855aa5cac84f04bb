"""The satisfaction reader on mutated exports: no traceback, and every answer read is loaded or quarantined.

Seeds: one month of demo exports (`;` cp1252 scores, `,` UTF-8 BOM labels) and the hand-made
fixtures, plus a small workbook with a title row. Accounting rule: see
``tests/fuzz/accounting.py``; the header is the first line holding a site, a date and a
satisfaction column, under any of the names the reader documents.
"""

from __future__ import annotations

import datetime as dt

from ingestion.satisfaction.reader import read_satisfaction
from tests.fuzz.readers import fuzz_reader, read_result_accounting, table_rows
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
    fuzz_reader(
        "satisfaction",
        seeds,
        read=lambda p: read_satisfaction(p, today=TODAY),
        account=lambda result, _: read_result_accounting(result),
        expected_rows=lambda p, seed: table_rows(p, delimiters[seed.name], LABELS),
        case_file=case_file,
        request=request,
    )
