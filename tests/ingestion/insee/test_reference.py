"""The embedded snapshot and its merge with official files."""

from ingestion.insee import load_reference_snapshot, read_epci_composition, read_legal_populations
from ingestion.insee.reference import build_reference_tables
from tests.conftest import real_file


def test_snapshot_covers_france_and_overseas_without_double_counting():
    tables = build_reference_tables(load_reference_snapshot())
    communes = tables.communes
    assert 34_800 < len(communes) < 35_100
    assert communes["commune_code"].is_unique
    departments = set(communes["department_code"])
    assert {"01", "2A", "2B", "971", "972", "973", "974", "976"} <= departments
    # Paris is counted through its 20 arrondissements, never twice.
    paris = communes[communes["commune_code"] == "75056"].iloc[0]
    assert paris["population"] is None or str(paris["population"]) == "<NA>"
    arrondissements = communes[communes["parent_commune_code"] == "75056"]
    assert len(arrondissements) == 20 and arrondissements["population"].sum() > 2_000_000
    assert communes["latitude"].notna().mean() > 0.999


def test_official_files_replace_the_snapshot():
    populations = read_legal_populations(real_file("insee", "2025", "ensemble.xlsx"))
    epci = read_epci_composition(real_file("insee", "2025", "EPCI_au_01-01-2024.xlsx"))
    communes = build_reference_tables(load_reference_snapshot(), populations, epci).communes
    from_file = communes[communes["population_source"] == "insee legal populations"]
    assert len(from_file) == 34_964
    assert communes["population"].sum() == 67_808_450
    assert set(from_file["population_year"]) == {2022}
    # Every commune and arrondissement of the EPCI file's field has its EPCI; arrondissements take their city's.
    covered = communes[~communes["department_code"].isin(["975", "977", "978"])]
    assert covered["epci_code"].notna().all()
    lyon_1 = communes[communes["commune_code"] == "69381"].iloc[0]
    lyon = communes[communes["commune_code"] == "69123"].iloc[0]
    assert lyon_1["epci_code"] == lyon["epci_code"] == "200046977"
