"""The INSEE COG commune list reader (``v_commune_YYYY.csv``) on mutated files: no traceback,
every COM, ARM, COMA and COMD row read accounted for.

Seeds, accounting rule and known bugs: ``insee_oracles.py``.
"""

from __future__ import annotations

from ingestion.insee import read_cog_communes
from tests.fuzz.insee_oracles import cog_accounting, cog_rows
from tests.fuzz.readers import fuzz_reader
from tests.fuzz.seeds import cog_seeds


def test_cog_reader_accounts_for_every_row(case_file, request):
    seeds = cog_seeds()
    fuzz_reader(
        "INSEE COG",
        seeds,
        read=read_cog_communes,
        account=lambda result, _: cog_accounting(result),
        expected_rows=lambda p, seed: cog_rows(p, seed.delimiter),
        case_file=case_file,
        request=request,
    )
