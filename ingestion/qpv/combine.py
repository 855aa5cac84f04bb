"""Combining every QPV load into one row per generation × QPV × commune.

Files complement each other: the 2015 CSV gives populations and commune names, the 2015
GeoJSON gives outlines and commune codes, the 2024 points give one point per commune. The
rule, whatever the order of loading:

- a row (generation, qpv_code, commune_code) exists when any load names that QPV in that
  commune: loads add rows, none removes one;
- the QPV's own attributes (name, population, outline, the file's other columns) are taken
  per generation × qpv_code from the newest load that gives them (a load leaving one empty
  does not erase it), and the same on every commune row of that QPV;
- a commune row's point and commune name come from the newest load that gives them for that
  row; a row without a point of its own takes the point of its QPV's outline.

Loads are ordered by landing time; the embedded 2024 list counts as the oldest load.
"""

from __future__ import annotations

import pandas as pd

from ingestion.qpv.reader import QPV_COLUMNS

PART_KEY = ["generation", "qpv_code", "commune_code"]
QPV_KEY = ["generation", "qpv_code"]
QPV_TABLE_COLUMNS = [
    "generation",
    "qpv_code",
    "qpv_name",
    "commune_code",
    "commune_name",
    "department_code",
    "population",
    "latitude",
    "longitude",
    "point_source",
    "wkt",
    "has_polygon",
    "communes_in_qpv",
    "load_id",
    "population_load_id",
    "polygon_load_id",
    "extra",
]
_QPV_ATTRIBUTES = ["qpv_name", "population", "wkt", "extra"]


def combine_qpv_loads(loads: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """One row per generation × qpv_code × commune_code from ``(load_id, rows)`` pairs given
    oldest first (rows as ``read_qpv_file`` returns them), by the rule of this module."""
    frames = [rows[QPV_COLUMNS].assign(load_id=load_id, load_rank=rank) for rank, (load_id, rows) in enumerate(loads)]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return empty_qpv_table()
    rows = pd.concat(frames, ignore_index=True).sort_values(["load_rank", "source_row"], kind="stable")
    # groupby().last() takes each column's last non-null value: the newest load that gives it.
    parts = rows.groupby(PART_KEY, sort=True)[
        ["commune_name", "department_code", "latitude", "longitude", "point_source", "load_id"]
    ].last()
    qpvs = rows.groupby(QPV_KEY)[_QPV_ATTRIBUTES].last()
    qpvs["population_load_id"] = rows[rows["population"].notna()].groupby(QPV_KEY)["load_id"].last()
    qpvs["polygon_load_id"] = rows[rows["wkt"].notna()].groupby(QPV_KEY)["load_id"].last()
    outline_points = rows[rows["point_source"] == "polygon"].groupby(QPV_KEY)[["latitude", "longitude"]].last()
    qpvs = qpvs.join(outline_points.add_prefix("outline_"))
    table = parts.reset_index().merge(qpvs.reset_index(), on=QPV_KEY, how="left")
    without_point = table["latitude"].isna() & table["outline_latitude"].notna()
    table.loc[without_point, "latitude"] = table.loc[without_point, "outline_latitude"]
    table.loc[without_point, "longitude"] = table.loc[without_point, "outline_longitude"]
    table.loc[without_point, "point_source"] = "qpv_polygon"
    table["has_polygon"] = table["wkt"].notna()
    table["communes_in_qpv"] = table.groupby(QPV_KEY)["commune_code"].transform("size").astype("int64")
    return _typed(table[QPV_TABLE_COLUMNS])


def empty_qpv_table() -> pd.DataFrame:
    """The combined table with no rows and its column types."""
    return _typed(pd.DataFrame({column: [] for column in QPV_TABLE_COLUMNS}))


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    types = {
        "generation": "int64",
        "population": "Int64",
        "latitude": "Float64",
        "longitude": "Float64",
        "has_polygon": "bool",
        "communes_in_qpv": "int64",
    }
    # Text as pandas strings: a column empty in every load still reaches DuckDB as VARCHAR.
    return table.reset_index(drop=True).astype({c: types.get(c, "string") for c in QPV_TABLE_COLUMNS})
