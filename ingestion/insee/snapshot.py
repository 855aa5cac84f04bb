"""The reference snapshot committed with the project (see ingestion/reference/README.md)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

SNAPSHOT_POPULATION_YEAR = 2017
"""Census year of the snapshot's populations: Paris 2,187,526 is INSEE's 2017 figure."""

SNAPSHOT_GEOGRAPHY_YEAR = 2025


def _reference_file(name: str):
    return resources.files("ingestion.reference").joinpath(name)


def load_reference_snapshot() -> pd.DataFrame:
    """All communes, arrondissements and delegated/associated communes of the snapshot.

    Columns: commune_code, commune_name, commune_type (COM, ARM, COMD, COMA),
    parent_commune_code, department_code, department_name, region_code, region_name,
    epci_code, epci_name, population, latitude, longitude. The four communes of the overseas
    collectivities that INSEE's legal populations list (975, 977, 978) are added.
    """
    with _reference_file("communes.parquet").open("rb") as handle:
        communes = pd.read_parquet(handle)
    with _reference_file("overseas_collectivities.csv").open("rb") as handle:
        overseas = pd.read_csv(handle, dtype=str)
    overseas["latitude"] = overseas["latitude"].astype(float)
    overseas["longitude"] = overseas["longitude"].astype(float)
    overseas["commune_type"] = "COM"
    communes = pd.concat(
        [communes, overseas[~overseas["commune_code"].isin(communes["commune_code"])]], ignore_index=True
    )
    communes["population"] = communes["population"].astype("Int64")
    return communes


def load_departments() -> pd.DataFrame:
    """Department code, name and region (101 departments plus 975, 977, 978)."""
    with _reference_file("departments.csv").open("rb") as handle:
        departments = pd.read_csv(handle, dtype=str)
    with _reference_file("overseas_collectivities.csv").open("rb") as handle:
        overseas = pd.read_csv(handle, dtype=str)
    extra = overseas[["department_code", "department_name", "region_code", "region_name"]].drop_duplicates()
    return pd.concat([departments, extra], ignore_index=True)
