"""The site listing reader on mutated listings: no traceback, and every site read is loaded.

Seeds: samples of the real ANCT releases (the 2024 data.gouv CSV with its multi-line
comments, the 2020 CSV and R exports, three GeoJSON releases; 25 to 35 sites each) and the
listing fixtures of tests/ingestion/sites and tests/bad_inputs. GeoJSON seeds get mutations
of the document (properties, geometries, features, the collection) besides bytes and text.

The reader keeps every row (row-level problems are notes in ``rejects``, the row kept with
the value set to None) or fails the file, and numbers rows by their place among the sites
(1 for the first site, header and blank lines not counted). Accounting rule (see
``tests/fuzz/accounting.py``): rows read = the non-blank CSV records after the header (the
first non-blank record), or the features of the collection; each must be a loaded row, and
every reject must name one of them.
"""

from __future__ import annotations

import json

from ingestion.sites import read_site_listing
from tests.fuzz import accounting
from tests.fuzz.harness import Accounting, Unaccountable
from tests.fuzz.readers import fuzz_reader, text_records
from tests.fuzz.seeds import listing_seeds


def listing_rows(path, delimiter: str) -> list:
    text = accounting.decode(path.read_bytes())
    if text is None:
        raise Unaccountable("the reader accepted a file that is neither UTF-8 nor cp1252")
    if text.lstrip().startswith(("{", "[")):
        try:
            features = json.loads(text)["features"]
        except (ValueError, TypeError, KeyError) as error:
            raise Unaccountable(f"the reader accepted a document that is no FeatureCollection: {error!r}") from None
        count = len(features)
    else:
        records = [record for record in text_records(path, delimiter) if not record.blank]
        count = max(len(records) - 1, 0)
    return [(None, number) for number in range(1, count + 1)]


def listing_accounting(result) -> Accounting:
    return Accounting(
        loaded=[(None, int(row)) for row in result.rows["source_row"]],
        rejected=[(None, int(row)) for row in result.rejects["row"]],
    )


def test_site_listing_reader_accounts_for_every_row(case_file, request):
    seeds = listing_seeds()
    fuzz_reader(
        "listing",
        seeds,
        read=read_site_listing,
        account=lambda result, _: listing_accounting(result),
        expected_rows=lambda p, seed: listing_rows(p, seed.delimiter),
        case_file=case_file,
        request=request,
    )
