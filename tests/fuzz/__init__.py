"""Property-based (hypothesis) tests: every reader on mutated real files.

One test per reader (``test_fuzz_*.py``) draws a seed (a small sample of a real file from
``../shared/real-data``, a demo export or a fixture; ``seeds.py``) and 1 to 3 mutations
(``mutations.py``: truncation, re-encoding, BOMs, stray quotes, delimiters and line ends in
cells, header cells dropped, duplicated, swapped or emptied, random bytes, binary garbage;
workbooks cell by cell, GeoJSON document by document), and checks (``harness.py``): no
traceback, only ``InputError`` in one line, and for an accepted file every row read (counted
without the reader: ``accounting.py``) loaded or quarantined.

300 cases per reader, derandomized (the same cases every run), about 30 s for all on two
workers; the count of each is printed at the end of the run (``report.py``, under xdist too).

Environment: ``FSW_FUZZ_EXAMPLES=N`` cases per reader (a deeper hunt); ``FSW_FUZZ_SURVEY=1``
lists every kind of failure with its shortest case instead of stopping at the first;
``FSW_FUZZ_STRICT=1`` fails on known bugs passed to ``harness.check_case(known_bugs=...)``.
"""
