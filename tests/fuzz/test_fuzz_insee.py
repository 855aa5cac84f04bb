"""The INSEE readers on mutated publications: no traceback, every commune row read accounted for.

* legal populations: a sample of the real ``ensemble.xlsx`` (titles, header on row 8, 24
  communes and one of Corsica, Paris, Lyon, Marseille and each overseas department), the
  ``make_insee`` workbook, mutated cell by cell and re-written with openpyxl; and the
  ``donnees_communes.csv`` fixtures in their two headers, mutated as text;
* EPCI composition: a sample of the real ``EPCI_au_01-01-2024.xlsx`` (both sheets) and the
  ``make_insee`` workbook;
* COG commune list: a built ``v_commune_2025.csv`` (COM, COMA, COMD, ARM; `,` UTF-8 and `;`
  cp1252) and the COG fixtures.

These readers quarantine nothing but the city rows replaced by their arrondissements
(``notes``): any other bad row fails the file. Accounting rule (see
``tests/fuzz/accounting.py``): rows read = the non-blank rows under the header (sheet
``Communes``; sheets ``Composition_communale`` and ``EPCI``; the COG's records) = rows loaded
+ rows in notes. The EPCI list and the COG frames carry no source row: those are counted.
Known failures of these readers (``known_bugs.py``) are counted and named in the summary
line, not failed on (``FSW_FUZZ_STRICT=1`` fails on them); each has a strict-xfail
reproduction in ``test_known_bugs.py``.
"""

from __future__ import annotations

from hypothesis import given

from ingestion.insee import read_cog_communes, read_epci_composition, read_legal_populations
from tests.fuzz import accounting, known_bugs
from tests.fuzz.harness import FUZZ_SETTINGS, Accounting, Stats, Unaccountable, check_case, run_fuzz
from tests.fuzz.readers import cases, is_workbook, text_records, write_case
from tests.fuzz.seeds import cog_seeds, epci_seeds, populations_csv_seeds, populations_seeds

POPULATION_LABELS = [["Code région"], ["Code département"], ["Code commune"], ["Nom de la commune"], ["Population municipale"]]
COMPOSITION_LABELS = [["CODGEO"], ["EPCI"]]
EPCI_LABELS = [["EPCI"], ["LIBEPCI"]]
COG_LABELS = [["TYPECOM"], ["COM"], ["DEP"], ["LIBELLE"]]
CENSUS_YEAR = 2022  # given for the CSV, which states no vintage (``fsw ingest --year``)


def _sheet(path, name: str, labels) -> list:
    sheets = accounting.read_back_workbook(path)
    if sheets is None or name not in sheets:
        raise Unaccountable(f"the reader accepted a workbook in which openpyxl finds no sheet {name!r}")
    header, numbers = accounting.grid_data_rows(sheets[name], labels)
    if header is None:
        raise Unaccountable(f"the reader accepted a sheet {name!r} without its header")
    return [(name, number) for number in numbers]


def _csv_rows(path, delimiter: str, skip_to_header=None) -> list:
    records = [record for record in text_records(path, delimiter) if not record.blank]
    start = 0
    if skip_to_header is not None:
        start = next((i for i, r in enumerate(records[:5]) if accounting.has_labels(r.cells, skip_to_header)), None)
        if start is None:
            raise Unaccountable("the reader accepted a file without its header in the first 5 rows")
    return [(None, record.line) for record in records[start + 1:]]


def _notes(frame) -> list:
    return [(sheet if isinstance(sheet, str) else None, int(row)) for sheet, row in zip(frame["sheet"], frame["row"])]


# ---------------------------------------------------------------------------------------------


def populations_rows(path, seed) -> list:
    if is_workbook(path):
        return _sheet(path, "Communes", POPULATION_LABELS)
    return _csv_rows(path, seed.delimiter)


def read_populations(path):
    return read_legal_populations(path, year=None if is_workbook(path) else CENSUS_YEAR)


def test_legal_populations_reader_accounts_for_every_row(tmp_path, case_file, request):
    seeds = populations_seeds(tmp_path) + populations_csv_seeds()
    stats = Stats("INSEE legal populations", seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        workbook = is_workbook(path)

        def account(result):
            sheet = "Communes" if workbook else None
            return Accounting(loaded=[(sheet, int(row)) for row in result.communes["source_row"]],
                              rejected=_notes(result.notes))

        check_case(stats, path, read=read_populations, account=account,
                   expected_rows=lambda p: populations_rows(p, case[0]), case=case,
                   known_bugs=lambda error, p: known_bugs.populations(error, p, delimiter=getattr(case[0], "delimiter", ";")))

    run_fuzz(stats, request.node.nodeid, run)


# ---------------------------------------------------------------------------------------------


def epci_rows(path) -> list:
    composition = _sheet(path, "Composition_communale", COMPOSITION_LABELS)
    epcis = _sheet(path, "EPCI", EPCI_LABELS)
    return composition + [("EPCI", i) for i in range(len(epcis))]  # the EPCI list has no source row: counted


def epci_accounting(result) -> Accounting:
    loaded = [("Composition_communale", int(row)) for row in result.communes["source_row"]]
    return Accounting(loaded=loaded + [("EPCI", i) for i in range(len(result.epcis))], rejected=[])


def test_epci_reader_accounts_for_every_row(tmp_path, case_file, request):
    seeds = epci_seeds(tmp_path)
    stats = Stats("INSEE EPCI", seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        check_case(stats, path, read=read_epci_composition, account=epci_accounting, expected_rows=epci_rows, case=case,
                   known_bugs=known_bugs.epci)

    run_fuzz(stats, request.node.nodeid, run)


# ---------------------------------------------------------------------------------------------


def cog_rows(path, delimiter: str) -> list:
    rows = _csv_rows(path, delimiter, skip_to_header=COG_LABELS)
    return [("COG", i) for i in range(len(rows))]  # the COG frames have no source row: counted


def cog_accounting(result) -> Accounting:
    return Accounting(loaded=[("COG", i) for i in range(len(result.communes) + len(result.aliases))], rejected=[])


def test_cog_reader_accounts_for_every_row(case_file, request):
    seeds = cog_seeds()
    stats = Stats("INSEE COG", seeds)

    @FUZZ_SETTINGS
    @given(case=cases(seeds))
    def run(case):
        path = write_case(case, case_file)
        check_case(stats, path, read=read_cog_communes, account=cog_accounting,
                   expected_rows=lambda p: cog_rows(p, case[0].delimiter), case=case,
                   known_bugs=lambda error, p: known_bugs.cog(error, p, delimiter=case[0].delimiter))

    run_fuzz(stats, request.node.nodeid, run)
