"""Merge the embedded snapshot with the official INSEE files a user loaded."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ingestion.insee.cities import CITY_OF_ARRONDISSEMENT, city_of
from ingestion.insee.cog import CogCommunes
from ingestion.insee.epci import NO_EPCI, EpciComposition
from ingestion.insee.populations import LegalPopulations
from ingestion.insee.snapshot import SNAPSHOT_POPULATION_YEAR, load_departments

COMMUNE_COLUMNS = [
    "commune_code",
    "commune_name",
    "commune_type",
    "parent_commune_code",
    "department_code",
    "region_code",
    "population",
    "population_year",
    "population_source",
    "latitude",
    "longitude",
    "epci_code",
    "epci_name",
]


@dataclass(frozen=True)
class ReferenceTables:
    """The raw reference tables: communes, aliases (old/delegated codes), departments, EPCIs."""

    communes: pd.DataFrame
    aliases: pd.DataFrame
    departments: pd.DataFrame
    epcis: pd.DataFrame


def _positions(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Centroid by code; a merged commune without its own takes the commune it joined."""
    frame = snapshot.drop_duplicates("commune_code").set_index("commune_code")
    positions = frame[["latitude", "longitude"]].copy()
    parent = frame["parent_commune_code"]
    missing = positions["latitude"].isna() & parent.notna()
    positions.loc[missing, "latitude"] = parent[missing].map(positions["latitude"])
    positions.loc[missing, "longitude"] = parent[missing].map(positions["longitude"])
    return positions


def build_reference_tables(
    snapshot: pd.DataFrame,
    populations: LegalPopulations | None = None,
    epci: EpciComposition | None = None,
    cog: CogCommunes | None = None,
) -> ReferenceTables:
    """Return the reference tables from the snapshot overlaid with the official files.

    A legal-populations file defines the communes and arrondissements of its field and their
    population; communes outside its field (Mayotte) are kept from the snapshot. A city that
    has arrondissements (Paris, Lyon, Marseille) keeps a row without population, so that
    population is never counted twice (the readers already dropped a city row listed beside
    its arrondissements, see ``ingestion.insee.cities``). Centroids always come from the snapshot.
    """
    main = snapshot[snapshot["commune_type"].isin(["COM", "ARM"])].copy()
    main["population_year"] = pd.array([SNAPSHOT_POPULATION_YEAR] * len(main), dtype="Int64")
    main["population_source"] = "snapshot"
    aliases = snapshot[snapshot["commune_type"].isin(["COMD", "COMA"])][
        ["commune_code", "parent_commune_code", "commune_type"]
    ]
    aliases = aliases.rename(
        columns={"commune_code": "alias_code", "parent_commune_code": "commune_code", "commune_type": "alias_type"}
    )
    aliases = aliases[aliases["commune_code"].notna()]
    positions = _positions(snapshot)

    if cog is not None:
        cog_rows = cog.communes.set_index("commune_code")
        main = main.set_index("commune_code")
        main = main.reindex(main.index.union(cog_rows.index))
        for column in ("commune_name", "commune_type", "department_code", "region_code"):
            # The COG leaves REG/DEP empty on some rows (arrondissements, older vintages):
            # those keep what the snapshot says.
            given = cog_rows[column].dropna()
            main.loc[given.index, column] = given
        main = main.reset_index()
        aliases = cog.aliases

    if populations is not None:
        file_rows = populations.communes
        covered = set(file_rows["department_code"])
        kept = main[~main["department_code"].isin(covered)].copy()
        kept["population"] = pd.array([pd.NA] * len(kept), dtype="Int64")
        kept["population_year"] = pd.array([pd.NA] * len(kept), dtype="Int64")
        kept["population_source"] = "none (outside the legal-populations file)"
        loaded = file_rows[["commune_code", "commune_name", "department_code", "region_code", "population"]].copy()
        loaded["population_year"] = pd.array([populations.census_year] * len(loaded), dtype="Int64")
        loaded["population_source"] = "insee legal populations"
        previous = main.set_index("commune_code")
        loaded["commune_type"] = loaded["commune_code"].map(lambda c: "ARM" if city_of(c) else "COM")
        loaded["latitude"] = loaded["commune_code"].map(positions["latitude"])
        loaded["longitude"] = loaded["commune_code"].map(positions["longitude"])
        loaded["epci_code"] = loaded["commune_code"].map(previous["epci_code"])
        loaded["epci_name"] = loaded["commune_code"].map(previous["epci_name"])
        main = pd.concat([loaded, kept], ignore_index=True)

    main["parent_commune_code"] = main["commune_code"].map(city_of)
    main.loc[main["parent_commune_code"].notna(), "commune_type"] = "ARM"
    cities = [c for c in CITY_OF_ARRONDISSEMENT.values() if c in set(main["parent_commune_code"].dropna())]
    missing_cities = [c for c in cities if c not in set(main["commune_code"])]
    if missing_cities:
        city_rows = snapshot[snapshot["commune_code"].isin(missing_cities)].copy()
        main = pd.concat([main, city_rows], ignore_index=True)
    is_city = main["commune_code"].isin(cities)
    main.loc[is_city, "population"] = pd.NA
    main.loc[is_city, "population_source"] = "counted in its arrondissements"
    main.loc[is_city, "commune_type"] = "COM"

    if epci is not None:
        membership = epci.communes.set_index("commune_code")
        names = epci.epcis.set_index("epci_code")["epci_name"]
        main["epci_code"] = main["commune_code"].map(membership["epci_code"])
        main["epci_name"] = main["epci_code"].map(names).fillna(main["commune_code"].map(membership["epci_name"]))
        epcis = epci.epcis.copy()
    else:
        epcis = (
            main[main["epci_code"].notna()][["epci_code", "epci_name"]]
            .drop_duplicates("epci_code")
            .assign(epci_nature=None)
        )
    by_city = main.set_index("commune_code")
    arm = main["parent_commune_code"].notna()
    main.loc[arm, "epci_code"] = main.loc[arm, "parent_commune_code"].map(by_city["epci_code"])
    main.loc[arm, "epci_name"] = main.loc[arm, "parent_commune_code"].map(by_city["epci_name"])
    main.loc[main["epci_code"] == NO_EPCI, "epci_name"] = "Sans objet"

    main["population"] = main["population"].astype("Int64")
    main["population_year"] = main["population_year"].astype("Int64")
    main["latitude"] = main["latitude"].astype(float)
    main["longitude"] = main["longitude"].astype(float)
    departments = load_departments()
    if populations is not None:
        from_file = populations.communes[["department_code", "region_code", "region_name"]].drop_duplicates(
            "department_code"
        )
        departments = departments.merge(from_file, on="department_code", how="outer", suffixes=("", "_file"))
        departments["region_code"] = departments["region_code_file"].fillna(departments["region_code"])
        departments["region_name"] = departments["region_name_file"].fillna(departments["region_name"])
        departments = departments.drop(columns=["region_code_file", "region_name_file"])
    main = main.drop(columns=[c for c in ("region_code",) if c in main.columns]).merge(
        departments[["department_code", "region_code"]], on="department_code", how="left"
    )
    return ReferenceTables(
        communes=main[COMMUNE_COLUMNS].sort_values("commune_code", ignore_index=True),
        aliases=aliases.reset_index(drop=True),
        departments=departments.sort_values("department_code", ignore_index=True),
        epcis=epcis.reset_index(drop=True),
    )
