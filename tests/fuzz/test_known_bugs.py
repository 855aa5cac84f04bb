"""Minimal reproductions of the failures the fuzz tests found in the INSEE readers.

Each was a strict xfail until its reader was fixed; they stay as regression tests. A new bug found by the fuzz
tests goes here the same way, as a strict xfail. Each test states the property the fuzz
test checks: no traceback, and every row read is loaded, in the notes, or the file fails
with one line.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from ingestion.errors import InputError
from ingestion.insee import (
    read_cog_communes,
    read_epci_composition,
    read_legal_populations,
)
from tests.fixtures.make_insee import POPULATION_ROWS, write_epci, write_populations
from tests.fuzz.seeds import COG_FIXTURE

CSV_HEADER = "CODREG;REG;CODDEP;CODARR;CODCAN;CODCOM;COM;PMUN;PCAP;PTOT\n"


def _accounted(read):
    """The rows the reader names (loaded or in its notes), or None when it fails in one line."""
    try:
        return read()
    except InputError as error:
        assert "\n" not in str(error)
        return None


def test_populations_csv_of_delimiters_only_fails_in_one_line(tmp_path):
    path = tmp_path / "donnees_communes.csv"
    path.write_bytes(b" ;\n")
    with pytest.raises(InputError) as error:
        read_legal_populations(path, year=2022)
    assert str(error.value) == "donnees_communes.csv: no header row: the file has no line with any value"


def test_populations_csv_rows_are_numbered_by_the_line_they_start_on(tmp_path):
    path = tmp_path / "donnees_communes.csv"
    path.write_text(
        CSV_HEADER + '84;Auvergne-Rhône-Alpes;01;2;08;001;"L\'Abergement-\nClémenciat";859;16;875\n'
        "84;Auvergne-Rhône-Alpes;01;1;01;002;L'Abergement-de-Varey;273;6;279\n",
        encoding="utf-8",
    )
    result = read_legal_populations(path, year=2022)
    assert result.communes["source_row"].tolist() == [2, 4]


def test_populations_row_without_codes_is_not_dropped_silently(tmp_path):
    row = ["84", "Auvergne-Rhône-Alpes", None, "2", "08", None, "Commune sans code", 120, 0, 120]
    path = write_populations(tmp_path / "ensemble.xlsx", rows=[*POPULATION_ROWS, row])
    result = _accounted(lambda: read_legal_populations(path))
    if result is not None:  # row 15: 7 title rows, the header, 6 communes
        assert 15 in set(result.communes["source_row"]) | set(result.notes["row"])


def test_epci_row_without_code_is_not_dropped_silently(tmp_path):
    path = write_epci(tmp_path / "EPCI_au_01-01-2024.xlsx")
    workbook = load_workbook(path)
    workbook["EPCI"].append([None, "CC sans code", "CC", 3])
    workbook.save(path)
    result = _accounted(lambda: read_epci_composition(path))
    if result is not None:
        assert len(result.epcis) == 4


def test_cog_row_without_typecom_is_not_dropped_silently(tmp_path):
    path = tmp_path / "v_commune_2025.csv"
    path.write_text(
        COG_FIXTURE + ",01004,84,01,01D,011,1,AMBERIEU EN BUGEY,Ambérieu-en-Bugey,Ambérieu-en-Bugey,0101,\n",
        encoding="utf-8",
    )
    result = _accounted(lambda: read_cog_communes(path))
    if result is not None:
        assert len(result.communes) + len(result.aliases) == COG_FIXTURE.count("\n")


def test_epci_row_without_commune_code_is_no_commune_00000(tmp_path):
    path = write_epci(tmp_path / "EPCI_au_01-01-2024.xlsx")
    workbook = load_workbook(path)
    workbook["Composition_communale"].append([None, "Commune sans code", "200069193", "CC de la Dombes", "01", "84"])
    workbook.save(path)
    result = _accounted(lambda: read_epci_composition(path))
    if result is not None:
        assert "00000" not in set(result.communes["commune_code"])
