"""Legal populations reader: fixtures in the real layout, and the real 2025 file."""

import pytest

from ingestion.errors import InputError
from ingestion.insee import read_legal_populations
from ingestion.insee.populations import ROW_WITHOUT_CODE
from tests.conftest import real_file
from tests.fixtures.make_insee import POPULATION_HEADER, POPULATION_ROWS, write_populations


def test_fixture_codes_vintage_and_total(tmp_path):
    result = read_legal_populations(write_populations(tmp_path / "ensemble.xlsx"))
    codes = list(result.communes["commune_code"])
    assert codes == ["01001", "01002", "75112", "75101", "2A004", "97101"]
    assert result.census_year == 2022 and result.in_force_year == 2025
    assert result.communes["population"].sum() == sum(r[7] for r in POPULATION_ROWS)
    assert result.communes.loc[2, "source_row"] == 11  # Excel row of the 3rd data row


def test_text_in_population_cell_names_file_sheet_row_column(tmp_path):
    rows = [list(r) for r in POPULATION_ROWS]
    rows[2][7] = "environ 140000"
    with pytest.raises(InputError) as error:
        read_legal_populations(write_populations(tmp_path / "bad.xlsx", rows=rows))
    assert str(error.value) == (
        "bad.xlsx: sheet 'Communes', row 11, column 'Population municipale': "
        "expected a whole number, found 'environ 140000'"
    )


def test_missing_column_names_it(tmp_path):
    header = [h if h != "Population municipale" else "Pop." for h in POPULATION_HEADER]
    with pytest.raises(InputError) as error:
        read_legal_populations(write_populations(tmp_path / "bad.xlsx", header=header))
    assert str(error.value) == (
        "bad.xlsx: sheet 'Communes', row 8, column 'Population municipale': "
        "missing required column 'Population municipale'"
    )


def test_wrong_sheet_is_named(tmp_path):
    with pytest.raises(
        InputError, match=r"bad.xlsx: sheet 'Communes': sheet 'Communes' not found \(sheets: Régions, Populations\)"
    ):
        read_legal_populations(write_populations(tmp_path / "bad.xlsx", sheet="Populations"))


def test_row_with_content_but_no_code_is_noted_and_blank_rows_skipped(tmp_path):
    rows = [
        *POPULATION_ROWS,
        [None] * 10,
        ["  ", None, "", None],
        ["84", "Auvergne-Rhône-Alpes", None, "2", "08", None, "Commune sans code", 120, 0, 120],
    ]
    result = read_legal_populations(write_populations(tmp_path / "ensemble.xlsx", rows=rows))
    assert len(result.communes) == len(POPULATION_ROWS)
    assert result.notes.to_dict("records") == [
        {
            "file": "ensemble.xlsx",
            "sheet": "Communes",
            "row": 17,
            "column": "Code commune",
            "value": "",
            "reason": ROW_WITHOUT_CODE,
        }
    ]
    assert result.warnings == (
        f"ensemble.xlsx: sheet 'Communes', 1 row(s) not loaded, {ROW_WITHOUT_CODE}; first: row 17",
    )


def test_real_2025_file():
    result = read_legal_populations(real_file("insee", "2025", "ensemble.xlsx"))
    communes = result.communes
    assert len(communes) == 34_964
    assert communes["population"].sum() == 67_808_450
    assert communes["commune_code"].is_unique
    assert (communes["commune_code"].str.match(r"^(751|6938|132)\d+$")).sum() == 45
    assert result.census_year == 2022 and result.in_force_year == 2025
