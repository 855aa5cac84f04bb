"""EPCI composition and COG readers."""

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from ingestion.errors import InputError
from ingestion.insee import load_reference_snapshot, read_cog_communes, read_epci_composition
from ingestion.insee.kinds import detect_insee_kind
from ingestion.insee.reference import build_reference_tables
from tests.conftest import real_file
from tests.fixtures.make_insee import write_epci


def test_epci_fixture(tmp_path):
    result = read_epci_composition(write_epci(tmp_path / "EPCI_au_01-01-2024.xlsx"))
    assert result.geography_year == 2024
    assert dict(zip(result.communes["commune_code"], result.communes["epci_code"]))["29083"] == "ZZZZZZZZZ"
    assert set(result.epcis["epci_code"]) == {"200069193", "200054781", "ZZZZZZZZZ"}


def test_epci_list_row_without_code_fails_in_one_line_and_blank_rows_are_skipped(tmp_path):
    path = write_epci(tmp_path / "EPCI_au_01-01-2024.xlsx")
    workbook = load_workbook(path)
    workbook["EPCI"].append(["  ", None, " ", None])
    workbook.save(path)
    assert len(read_epci_composition(path).epcis) == 3
    workbook["EPCI"].append([None, "CC sans code", "CC", 3])
    workbook.save(path)
    with pytest.raises(InputError) as error:
        read_epci_composition(path)
    assert str(error.value) == "EPCI_au_01-01-2024.xlsx: sheet 'EPCI', row 11, column 'EPCI': empty EPCI code"


def test_composition_row_without_commune_code_fails_in_one_line_never_00000(tmp_path):
    path = write_epci(tmp_path / "EPCI_au_01-01-2024.xlsx")
    workbook = load_workbook(path)
    workbook["Composition_communale"].append([" ", None, "", None, None, " "])
    workbook.save(path)
    assert "00000" not in set(read_epci_composition(path).communes["commune_code"])
    workbook["Composition_communale"].append([None, "Commune sans code", "200069193", "CC de la Dombes", "01", "84"])
    workbook.save(path)
    with pytest.raises(InputError) as error:
        read_epci_composition(path)
    assert str(error.value) == (
        "EPCI_au_01-01-2024.xlsx: sheet 'Composition_communale', row 12, column 'CODGEO': empty commune code"
    )


def test_composition_code_padded_only_when_unambiguous_with_a_warning(tmp_path):
    path = write_epci(tmp_path / "EPCI_au_01-01-2024.xlsx")
    workbook = load_workbook(path)
    workbook["Composition_communale"]["A7"] = 1001  # a spreadsheet copy: 01001 as a number
    workbook.save(path)
    result = read_epci_composition(path)
    assert result.communes["commune_code"].iloc[0] == "01001"
    assert result.warnings == (
        "EPCI_au_01-01-2024.xlsx: codes that had lost their leading zeros (a spreadsheet copy?) repaired: "
        "CODGEO 1; first: row 7, column 'CODGEO', '1001' → '01001'",
    )
    workbook["Composition_communale"]["A8"] = "1"  # was padded into commune 00001
    workbook.save(path)
    with pytest.raises(InputError) as error:
        read_epci_composition(path)
    assert str(error.value) == (
        "EPCI_au_01-01-2024.xlsx: sheet 'Composition_communale', row 8, column 'CODGEO': "
        "invalid commune code '1' (expected 5 characters, e.g. 01001 or 2A004)"
    )


def test_real_epci_file():
    result = read_epci_composition(real_file("insee", "2025", "EPCI_au_01-01-2024.xlsx"))
    assert len(result.communes) == 34_935
    assert (result.communes["epci_code"] == "ZZZZZZZZZ").sum() == 4
    assert result.geography_year == 2024 and result.warnings == ()
    assert "ZZZZZZZZZ" in set(result.epcis["epci_code"])


def test_cog_keeps_com_and_arm_and_aliases_delegated(tmp_path):
    path = tmp_path / "v_commune_2025.csv"
    path.write_text(
        "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
        "COM,01001,84,01,01D,012,5,ABERGEMENT CLEMENCIAT,Abergement-Clémenciat,L'Abergement-Clémenciat,0108,\n"
        "COMD,01015,,,,,0,ARBIGNIEU,Arbignieu,Arbignieu,,01015\n"
        "COM,75056,11,75,75C,751,0,PARIS,Paris,Paris,7599,\n"
        "ARM,75112,,,,,0,PARIS 12,Paris 12e,Paris 12e Arrondissement,,75056\n",
        encoding="utf-8",
    )
    result = read_cog_communes(path)
    assert list(result.communes["commune_code"]) == ["01001", "75056", "75112"]
    assert list(result.communes["commune_type"]) == ["COM", "COM", "ARM"]
    assert result.aliases.to_dict("records") == [{"alias_code": "01015", "commune_code": "01015", "alias_type": "COMD"}]
    assert result.geography_year == 2025


def test_cog_without_typecom_fails_with_one_line(tmp_path):
    path = tmp_path / "v_commune_2025.csv"
    path.write_text("CODE,NOM\n01001,Abergement\n", encoding="utf-8")
    with pytest.raises(InputError, match="v_commune_2025.csv: .*no header row found"):
        read_cog_communes(path)


def test_cog_row_with_empty_typecom_fails_in_one_line(tmp_path):
    path = tmp_path / "v_commune_2025.csv"
    path.write_text(
        "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
        "COM,01001,84,01,01D,012,5,ABERGEMENT CLEMENCIAT,Abergement-Clémenciat,L'Abergement-Clémenciat,0108,\n"
        " ,01004,84,01,01D,011,1,AMBERIEU EN BUGEY,Ambérieu-en-Bugey,Ambérieu-en-Bugey,0101,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        read_cog_communes(path)
    assert str(error.value) == (
        "v_commune_2025.csv: row 3, column 'TYPECOM': empty TYPECOM (expected COM, ARM, COMA or COMD)"
    )


def test_cog_rows_are_named_by_their_line_after_blank_lines_and_quoted_line_ends(tmp_path):
    path = tmp_path / "v_commune_2025.csv"
    path.write_text(
        "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
        "\n"
        'COM,01001,84,01,01D,012,5,ABERGEMENT CLEMENCIAT,"Abergement-\nClémenciat",L\'Abergement,0108,\n'
        "XYZ,01004,84,01,01D,011,1,AMBERIEU EN BUGEY,Ambérieu-en-Bugey,Ambérieu-en-Bugey,0101,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="row 5, column 'TYPECOM'"):
        read_cog_communes(path)


FIXTURES = Path(__file__).parent / "fixtures"


def test_cog_fixture_kind_codes_and_aliases():
    path = FIXTURES / "v_commune_2024.csv"
    assert detect_insee_kind(path) == "cog"
    result = read_cog_communes(path)
    codes = list(result.communes["commune_code"])
    assert codes == ["01001", "01002", "01015", "13055", "13201", "2A004", "69123", "69381", "75056", "75101", "97101"]
    assert result.geography_year == 2024 and result.warnings == ()
    assert set(result.aliases["alias_code"]) == {"01015", "01340"}
    assert set(result.aliases["commune_code"]) == {"01015"}


def test_cog_copy_that_lost_its_leading_zeros_is_repaired_with_a_warning():
    original = read_cog_communes(FIXTURES / "v_commune_2024.csv")
    result = read_cog_communes(FIXTURES / "v_commune_2024_stripped.csv")
    pd.testing.assert_frame_equal(result.communes, original.communes)
    pd.testing.assert_frame_equal(result.aliases, original.aliases)
    assert result.warnings == (
        "v_commune_2024_stripped.csv: codes that had lost their leading zeros (a spreadsheet copy?) repaired: "
        "DEP 3, COM 5, COMPARENT 2, REG 1; first: row 2, column 'COM', '1001' → '01001'",
    )


def test_cog_code_that_cannot_be_repaired_consistently_fails_in_one_line():
    with pytest.raises(InputError) as error:
        read_cog_communes(FIXTURES / "v_commune_2024_ambiguous.csv")
    assert str(error.value) == (
        "v_commune_2024_ambiguous.csv: row 3, column 'COM': commune code '1002' lost its leading zero but its "
        "department is '2': cannot repair it consistently"
    )


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "COM,101,84,1,01D,12,5,X,X,X,108,",
            "row 3, column 'COM': invalid commune code '101' (expected 5 characters, e.g. 01001 or 2A004)",
        ),
        (
            "COM,02001,84,01,01D,12,5,X,X,X,108,",
            "row 3, column 'COM': commune code '02001' is not in its department '01'",
        ),
        ("COM,1001,84,1,01D,12,5,X,X,X,108,", "row 3, column 'COM': commune 01001 listed twice (rows 2 and 3)"),
    ],
)
def test_cog_bad_codes_fail_naming_row_and_column(tmp_path, row, message):
    path = tmp_path / "v_commune_2024.csv"
    lines = (FIXTURES / "v_commune_2024.csv").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:2], row, *lines[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_cog_communes(path)
    assert str(error.value) == f"v_commune_2024.csv: {message}"


def test_older_cog_without_ctcd(tmp_path):
    path = tmp_path / "v_commune_2019.csv"
    path.write_text(
        "TYPECOM,COM,REG,DEP,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
        "COM,01001,84,01,012,5,ABERGEMENT CLEMENCIAT,Abergement-Clémenciat,L'Abergement-Clémenciat,0108,\n"
        "COM,2A004,94,2A,2A1,0,AJACCIO,Ajaccio,Ajaccio,2A98,\n",
        encoding="utf-8",
    )
    assert detect_insee_kind(path) == "cog"
    result = read_cog_communes(path)
    assert list(result.communes["commune_code"]) == ["01001", "2A004"] and result.geography_year == 2019


def test_repaired_cog_overlays_the_snapshot():
    cog = read_cog_communes(FIXTURES / "v_commune_2024_stripped.csv")
    communes = build_reference_tables(load_reference_snapshot(), cog=cog).communes.set_index("commune_code")
    assert communes.loc["01001", "commune_name"] == "L'Abergement-Clémenciat"
    assert communes.loc["01001", "department_code"] == "01"
    # an arrondissement the COG lists without DEP keeps the snapshot's department
    assert communes.loc["75101", "department_code"] == "75"
    assert "1001" not in communes.index
