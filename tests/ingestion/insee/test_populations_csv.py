"""Legal populations as INSEE's CSV (`donnees_communes.csv`, two headers), and the rule shared
with the workbook: a city listed beside its arrondissements is dropped, never counted twice."""

import shutil
from pathlib import Path

import pytest

from ingestion.errors import InputError
from ingestion.insee import read_legal_populations
from ingestion.insee.cities import CITY_ROW_REPLACED
from ingestion.insee.kinds import detect_insee_kind
from ingestion.landing import read_manifest
from tests.fixtures.make_insee import POPULATION_ROWS, write_populations

FIXTURES = Path(__file__).parent / "fixtures"
SHAPES = [
    "donnees_communes_codcom.csv",  # CODREG;REG;CODDEP;…;CODCOM;COM (name);PMUN…, cp1252, with city rows
    "donnees_communes_codcom_arrondissements.csv",  # the same without the city rows
    "donnees_communes_com.csv",  # REG;Région;DEP;…;CODCOM;COM (code);Commune;PMUN…, UTF-8, with city rows
    "donnees_communes_com_arrondissements.csv",
]
CODES = ["01001", "01002", "69381", "69382", "75101", "75102", "13201", "13202", "2A004", "97101"]
TOTAL = 287_962  # PMUN of the communes and arrondissements of the fixtures (the cities excluded)


def _as_donnees_communes(tmp_path, name):
    """The fixture under INSEE's file name: the shape is recognised from the content."""
    target = tmp_path / "donnees_communes.csv"
    shutil.copyfile(FIXTURES / name, target)
    return target


@pytest.mark.parametrize("name", SHAPES)
def test_both_headers_with_or_without_city_rows_give_the_same_communes_and_total(tmp_path, name):
    path = _as_donnees_communes(tmp_path, name)
    assert detect_insee_kind(path, year=2021) == "populations"
    result = read_legal_populations(path, year=2021)
    communes = result.communes
    assert list(communes["commune_code"]) == CODES
    assert communes["population"].sum() == TOTAL
    assert result.census_year == 2021 and result.in_force_year is None
    paris_1 = communes.set_index("commune_code").loc["75101"]
    assert paris_1["commune_name"] == "Paris 1er Arrondissement"
    assert (paris_1["department_code"], paris_1["region_code"], paris_1["region_name"]) == ("75", "11", "Île-de-France")
    assert communes.set_index("commune_code").loc["97101", "population_total"] == 54_027  # "54 027"
    if "arrondissements" in name:
        assert result.notes.empty and result.warnings == ()
    else:
        assert list(result.notes["value"]) == ["69123", "75056", "13055"]
        assert set(result.notes["reason"]) == {CITY_ROW_REPLACED}
        assert list(result.notes["row"]) == [4, 7, 10]
        assert result.warnings[1] == (
            "donnees_communes.csv: row 7: 75056 Paris (37,512 inhabitants): city row replaced by its "
            "arrondissements (2 in the file), not counted twice"
        )


def test_without_year_the_file_is_refused_in_one_line(tmp_path):
    path = _as_donnees_communes(tmp_path, "donnees_communes_com.csv")
    expected = "donnees_communes.csv: the file does not say its census vintage: give --year YYYY"
    with pytest.raises(InputError) as error:
        detect_insee_kind(path)
    assert str(error.value) == expected
    with pytest.raises(InputError) as error:
        read_legal_populations(path)
    assert str(error.value) == expected


def test_workbook_vintage_must_agree_with_year(tmp_path):
    path = write_populations(tmp_path / "ensemble.xlsx")
    assert read_legal_populations(path, year=2022).census_year == 2022
    with pytest.raises(InputError, match=r"^ensemble.xlsx: the file says census 2022 but --year 2021 was given$"):
        read_legal_populations(path, year=2021)


def test_workbook_with_city_row_drops_it_by_the_same_rule(tmp_path):
    rows = [list(r) for r in POPULATION_ROWS]
    paris = sum(r[7] for r in rows if r[2] == "75")
    rows.insert(2, ["11", "Île-de-France", "75", "1", "  ", "056", "Paris", paris, 1093, paris + 1093])
    result = read_legal_populations(write_populations(tmp_path / "ensemble.xlsx", rows=rows))
    assert "75056" not in set(result.communes["commune_code"])
    assert result.communes["population"].sum() == sum(r[7] for r in POPULATION_ROWS)
    [note] = result.notes.to_dict("records")
    assert note == {
        "file": "ensemble.xlsx",
        "sheet": "Communes",
        "row": 11,
        "column": "Code commune",
        "value": "75056",
        "reason": CITY_ROW_REPLACED,
    }
    assert result.warnings == (
        "ensemble.xlsx: sheet 'Communes', row 11: 75056 Paris (155,263 inhabitants): city row replaced by its "
        "arrondissements (2 in the file), not counted twice",
    )


def test_city_that_disagrees_with_its_arrondissements_fails(tmp_path):
    text = (FIXTURES / "donnees_communes_com.csv").read_text(encoding="utf-8")
    path = tmp_path / "donnees_communes.csv"
    path.write_text(text.replace("75056;Paris;37\u00a0512", "75056;Paris;2\u00a0133\u00a0111"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_legal_populations(path, year=2021)
    assert str(error.value) == (
        "donnees_communes.csv: row 7, column 'PMUN': 75056 Paris counts 2,133,111 inhabitants but its 2 "
        "arrondissements in the file count 37,512: cannot tell which to keep"
    )


@pytest.mark.parametrize(
    "replace, message",
    [
        (
            ("01002;L'Abergement-de-Varey;273", "01001;L'Abergement-de-Varey;273"),
            "row 3, column 'COM': commune code '01001' does not match DEP '01' and CODCOM '002'",
        ),
        (
            ("01002;L'Abergement-de-Varey;273", "01002;L'Abergement-de-Varey;environ 270"),
            "row 3, column 'PMUN': expected a whole number, found 'environ 270'",
        ),
        (("01002;L'Abergement-de-Varey;273", "01002;L'Abergement-de-Varey;"), "row 3, column 'PMUN': empty population"),
        (
            ("84;Auvergne-Rhône-Alpes;01;1;01;002;01002", "84;Auvergne-Rhône-Alpes;01;1;01;001;01001"),
            "row 3, column 'COM': commune 01001 listed twice (rows 2 and 3)",
        ),
        (("PMUN", "POP"), "row 1, column 'PMUN': missing required column 'PMUN'"),
    ],
)
def test_bad_rows_fail_naming_row_and_column(tmp_path, replace, message):
    text = (FIXTURES / "donnees_communes_com_arrondissements.csv").read_text(encoding="utf-8")
    assert replace[0] in text
    path = tmp_path / "donnees_communes.csv"
    path.write_text(text.replace(replace[0], replace[1], 1), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_legal_populations(path, year=2021)
    assert str(error.value) == f"donnees_communes.csv: {message}"


def test_full_code_that_lost_its_zero_is_repaired_with_a_warning(tmp_path):
    text = (FIXTURES / "donnees_communes_com_arrondissements.csv").read_text(encoding="utf-8")
    path = tmp_path / "donnees_communes.csv"
    path.write_text(text.replace(";01;2;08;001;01001;", ";1;2;08;1;1001;"), encoding="utf-8")
    result = read_legal_populations(path, year=2021)
    assert list(result.communes["commune_code"]) == CODES
    assert result.warnings == (
        "donnees_communes.csv: codes that had lost their leading zeros (a spreadsheet copy?) repaired: DEP 1, "
        "COM 1; first: row 2, column 'COM', '1001' → '01001'",
    )


def test_unknown_csv_is_not_taken_for_populations(tmp_path):
    path = tmp_path / "donnees_communes.csv"
    path.write_text("CODE;NOM;POPULATION\n01001;L'Abergement;859\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^donnees_communes.csv: not a recognised INSEE file"):
        detect_insee_kind(path, year=2021)


def test_year_travels_in_the_manifest_and_a_new_year_lands_again(fsw_home):
    from orchestration.config import load_settings
    from orchestration.ingest import land_inputs

    settings = load_settings().ensure()
    path = FIXTURES / "donnees_communes_com.csv"
    [first] = land_inputs(settings, "insee", [path], year=2021)
    assert read_manifest(settings.landing, "insee", first.load_id).year == 2021
    duplicates = []
    assert land_inputs(settings, "insee", [path], year=2021, on_duplicate=lambda *a: duplicates.append(a)) == []
    assert duplicates == [("donnees_communes_com.csv", first.load_id)]
    [second] = land_inputs(settings, "insee", [path], year=2022)
    assert read_manifest(settings.landing, "insee", second.load_id).year == 2022
