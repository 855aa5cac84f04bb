"""Paris, Lyon and Marseille: cities whose population is counted in their arrondissements.

One rule for every legal-populations file, whatever its shape (``ensemble.xlsx``,
``donnees_communes.csv``): when a file lists a city *and* its municipal arrondissements, the
arrondissements are kept and the city row is dropped, with a note, so that no inhabitant is
counted twice.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingestion.errors import InputError

CITY_OF_ARRONDISSEMENT = {"751": "75056", "693": "69123", "132": "13055"}
CITIES = frozenset(CITY_OF_ARRONDISSEMENT.values())
CITY_ROW_REPLACED = "city row replaced by its arrondissements"
NOTE_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]


def city_of(code: str) -> str | None:
    """The city code of a Paris/Lyon/Marseille municipal arrondissement code, else None."""
    city = CITY_OF_ARRONDISSEMENT.get(code[:3])
    return city if city and code != city else None


def empty_notes() -> pd.DataFrame:
    """No note: the quarantine-shaped frame (file, sheet, row, column, value, reason)."""
    return pd.DataFrame(columns=NOTE_COLUMNS)


def replace_cities_by_arrondissements(
    communes: pd.DataFrame,
    *,
    path: Path,
    sheet: str | None = None,
    code_column: str,
    population_column: str,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Drop the city rows of a legal-populations frame that also lists their arrondissements.

    ``communes`` has ``commune_code``, ``commune_name``, ``population`` and ``source_row``;
    ``code_column`` and ``population_column`` are the file's labels, for the notes. Returns the
    kept rows, one quarantine-shaped note per dropped city row (reason
    :data:`CITY_ROW_REPLACED`) and one warning line per dropped row. A city whose population
    differs from the sum of its arrondissements in the file is a file-level error: which one
    is right cannot be told.
    """
    codes = communes["commune_code"]
    parents = codes.map(city_of)
    cities_with_arrondissements = set(parents.dropna()) & set(codes)
    if not cities_with_arrondissements:
        return communes, empty_notes(), []
    notes, warnings = [], []
    city_rows = communes[codes.isin(cities_with_arrondissements)].sort_values("source_row")
    for _, row in city_rows.iterrows():
        city = row["commune_code"]
        arrondissements = communes[parents == city]
        city_population, parts = row["population"], arrondissements["population"].sum()
        if pd.notna(city_population) and int(city_population) != int(parts):
            raise InputError(
                f"{city} {row['commune_name']} counts {int(city_population):,} inhabitants but its "
                f"{len(arrondissements)} arrondissements in the file count {int(parts):,}: "
                "cannot tell which to keep",
                file=path,
                sheet=sheet,
                row=int(row["source_row"]),
                column=population_column,
            )
        population = "" if pd.isna(city_population) else f" ({int(city_population):,} inhabitants)"
        notes.append(
            {
                "file": Path(path).name,
                "sheet": sheet,
                "row": int(row["source_row"]),
                "column": code_column,
                "value": city,
                "reason": CITY_ROW_REPLACED,
            }
        )
        where = f"sheet {sheet!r}, " if sheet else ""
        warnings.append(
            f"{Path(path).name}: {where}row {int(row['source_row'])}: {city} {row['commune_name']}{population}: "
            f"{CITY_ROW_REPLACED} ({len(arrondissements)} in the file), not counted twice"
        )
    kept = communes[~codes.isin(cities_with_arrondissements)].reset_index(drop=True)
    return kept, pd.DataFrame.from_records(notes, columns=NOTE_COLUMNS), warnings
