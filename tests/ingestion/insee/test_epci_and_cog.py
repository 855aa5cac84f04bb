"""EPCI composition and COG readers."""

import pytest

from ingestion.errors import InputError
from ingestion.insee import read_cog_communes, read_epci_composition
from tests.conftest import real_file
from tests.fixtures.make_insee import write_epci


def test_epci_fixture(tmp_path):
    result = read_epci_composition(write_epci(tmp_path / "EPCI_au_01-01-2024.xlsx"))
    assert result.geography_year == 2024
    assert dict(zip(result.communes["commune_code"], result.communes["epci_code"]))["29083"] == "ZZZZZZZZZ"
    assert set(result.epcis["epci_code"]) == {"200069193", "200054781", "ZZZZZZZZZ"}


def test_real_epci_file():
    result = read_epci_composition(real_file("insee", "2025", "EPCI_au_01-01-2024.xlsx"))
    assert len(result.communes) == 34_935
    assert (result.communes["epci_code"] == "ZZZZZZZZZ").sum() == 4
    assert result.geography_year == 2024
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
