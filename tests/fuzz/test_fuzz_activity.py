"""The activity reader on mutated exports: no traceback, and every row read is loaded or quarantined.

Seeds: one month of demo exports (`;` cp1252, `,` UTF-8 BOM, tab by month, XLSX with title
rows), sampled to 30 rows, and the hand-made fixtures. Accounting rule: see
``tests/fuzz/accounting.py``; the header is the first line holding a site, a date (or month),
a partner and a request count column, under any of the names the reader documents.
"""

from __future__ import annotations

import datetime as dt

from ingestion.activity import read_activity
from tests.fuzz.readers import fuzz_reader, read_result_accounting, table_rows
from tests.fuzz.seeds import activity_seeds

TODAY = dt.date(2025, 1, 1)
LABELS = [
    ["Matricule", "id_fs", "Identifiant France services", "Code structure"],
    ["Date", "Date de la demande", "Jour", "Mois"],
    ["Partenaire", "Opérateur", "Organisme"],
    ["Nombre de demandes", "Demandes", "Nb demandes"],
]


def test_activity_reader_accounts_for_every_row(demo_exports, case_file, request):
    seeds = activity_seeds(demo_exports)
    delimiters = {seed.name: getattr(seed, "delimiter", ";") for seed in seeds}
    fuzz_reader(
        "activity",
        seeds,
        read=lambda p: read_activity(p, today=TODAY),
        account=lambda result, _: read_result_accounting(result),
        expected_rows=lambda p, seed: table_rows(p, delimiters[seed.name], LABELS),
        case_file=case_file,
        request=request,
    )
