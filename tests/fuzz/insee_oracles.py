"""Oracles of the INSEE fuzz tests (``test_fuzz_insee_*.py``): what each reader should return
for a mutated file, counted without the reader.

The INSEE readers on mutated publications: no traceback, every commune row read accounted for.

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
The failures the fuzz tests found in these readers are fixed; their minimal reproductions
stay as regression tests in ``test_known_bugs.py``.
"""

from __future__ import annotations

from ingestion.insee import read_legal_populations
from tests.fuzz import accounting
from tests.fuzz.harness import Accounting, Unaccountable
from tests.fuzz.readers import is_workbook, text_records

POPULATION_LABELS = [
    ["Code région"],
    ["Code département"],
    ["Code commune"],
    ["Nom de la commune"],
    ["Population municipale"],
]
COMPOSITION_LABELS = [["CODGEO"], ["EPCI"]]
EPCI_LABELS = [["EPCI"], ["LIBEPCI"]]
COG_LABELS = [["TYPECOM"], ["COM"], ["DEP"], ["LIBELLE"]]
CENSUS_YEAR = 2022  # given for the CSV, which states no vintage (``fsw ingest --year``)


def _sheet(sheets: dict | None, name: str, labels) -> list:
    """Keys of the data rows of one sheet of a workbook read back by openpyxl."""
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
    return [(None, record.line) for record in records[start + 1 :]]


def notes(frame) -> list:
    """Keys of the rows of a reader's ``notes`` (quarantine-shaped)."""
    return [(sheet if isinstance(sheet, str) else None, int(row)) for sheet, row in zip(frame["sheet"], frame["row"])]


# legal populations


def populations_rows(path, seed) -> list:
    if is_workbook(path):
        return _sheet(accounting.read_back_workbook(path), "Communes", POPULATION_LABELS)
    return _csv_rows(path, seed.delimiter)


def read_populations(path):
    return read_legal_populations(path, year=None if is_workbook(path) else CENSUS_YEAR)


def populations_accounting(result, *, workbook: bool) -> Accounting:
    sheet = "Communes" if workbook else None
    return Accounting(loaded=[(sheet, int(row)) for row in result.communes["source_row"]], rejected=notes(result.notes))


# EPCI composition


def epci_rows(path) -> list:
    sheets = accounting.read_back_workbook(path)
    composition = _sheet(sheets, "Composition_communale", COMPOSITION_LABELS)
    epcis = _sheet(sheets, "EPCI", EPCI_LABELS)
    return composition + [("EPCI", i) for i in range(len(epcis))]  # the EPCI list has no source row: counted


def epci_accounting(result) -> Accounting:
    loaded = [("Composition_communale", int(row)) for row in result.communes["source_row"]]
    return Accounting(loaded=loaded + [("EPCI", i) for i in range(len(result.epcis))], rejected=[])


# COG


def cog_rows(path, delimiter: str) -> list:
    rows = _csv_rows(path, delimiter, skip_to_header=COG_LABELS)
    return [("COG", i) for i in range(len(rows))]  # the COG frames have no source row: counted


def cog_accounting(result) -> Accounting:
    return Accounting(loaded=[("COG", i) for i in range(len(result.communes) + len(result.aliases))], rejected=[])
