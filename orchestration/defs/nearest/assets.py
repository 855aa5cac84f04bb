"""Nearest sites and points inside QPVs: the three intermediate tables computed in Python.

They sit inside the dbt graph: they read intermediate models (int_communes,
int_sites_open_monthly, …) and fct_coverage and mart_qpv_coverage read them back as the dbt
source `computed`, so Dagster runs the dbt models in two steps around them. One computation
(orchestration.nearest_tables) serves both engines: on DuckDB the upstream models are read from
work.duckdb and the tables written to its schema `computed`; on Spark (FSW_ENGINE=spark) they
are read from the Parquet Spark wrote and written as Parquet under lake/<table>, where the
build's on-run-start hook registers them (macros/lake_sources.sql).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa

from ingestion.store import connect, replace_table
from orchestration.config import Settings
from orchestration.nearest_tables import TABLE_SCHEMAS, coverage_nearest, qpv_nearest_fixed, qpv_points_inside
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource
from orchestration.spark_build import model_relation, write_computed_table

COMPUTED_SCHEMA = "computed"
"""Schema of work.duckdb holding the tables (the dbt source `computed` on DuckDB)."""

Read = Callable[[str, str], pd.DataFrame]
Write = Callable[[str, pa.Table], None]


def _key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["intermediate", name])


@contextmanager
def _engine_io(settings: Settings) -> Iterator[tuple[Read, Callable[[str, str], object], Write]]:
    """(the rows of a model where a condition holds, one aggregate of a model, write a table) on
    the engine of the settings."""

    def relation(name: str) -> str:
        return model_relation(settings, name)

    if settings.engine == "spark":
        con = duckdb.connect()
        try:
            yield _readers(con, relation) + (lambda name, table: write_computed_table(settings, name, table),)
        finally:
            con.close()
        return
    with connect(settings.work_db) as con:
        yield _readers(con, relation) + (lambda name, table: replace_table(con, COMPUTED_SCHEMA, name, table),)


def _readers(
    con: duckdb.DuckDBPyConnection, relation: Callable[[str], str]
) -> tuple[Read, Callable[[str, str], object]]:
    def read(name: str, where: str) -> pd.DataFrame:
        return con.sql(f"select * from {relation(name)} where {where}").df()

    def aggregate(name: str, expression: str) -> object:
        return con.execute(f"select {expression} from {relation(name)}").fetchall()[0][0]

    return read, aggregate


def _checked(name: str, table: pa.Table, keys: list[str], accepted: dict[str, list[str]]) -> list[dg.AssetCheckResult]:
    """The table's blocking checks: its keys present and unique, coded columns in their values."""
    con = duckdb.connect()
    try:
        con.register("t", table)
        listed = ", ".join(keys)
        missing = con.execute(f"select count(*) from t where {' or '.join(f'{k} is null' for k in keys)}").fetchone()[0]
        repeated = con.execute(f"select count(*) - count(distinct ({listed})) from t").fetchone()[0]
        results = [
            dg.AssetCheckResult(
                check_name="keys_present_and_unique",
                asset_key=_key(name),
                passed=missing == 0 and repeated == 0,
                metadata={"keys": listed, "rows_missing_a_key": missing, "repeated_keys": repeated},
            )
        ]
        for column, values in accepted.items():
            unknown = [
                value
                for (value,) in con.execute(
                    f"select distinct {column} from t where {column} <> all (?)", [values]
                ).fetchall()
            ]
            results.append(
                dg.AssetCheckResult(
                    check_name=f"{column}_accepted_values",
                    asset_key=_key(name),
                    passed=not unknown,
                    metadata={"accepted": ", ".join(values), "unknown": ", ".join(map(str, unknown)) or "none"},
                )
            )
        return results
    finally:
        con.close()


def _specs(name: str, accepted: tuple[str, ...] = ()) -> list[dg.AssetCheckSpec]:
    specs = [dg.AssetCheckSpec("keys_present_and_unique", asset=_key(name), blocking=True)]
    specs += [dg.AssetCheckSpec(f"{column}_accepted_values", asset=_key(name), blocking=True) for column in accepted]
    return specs


def _materialized(
    settings: Settings, name: str, table: pa.Table, write, keys: list[str], accepted: dict[str, list[str]]
) -> dg.MaterializeResult:
    table = table.cast(TABLE_SCHEMAS[name])
    checks = _checked(name, table, keys, accepted)
    if all(check.passed for check in checks):  # a table failing its checks is not written
        write(name, table)
    return dg.MaterializeResult(
        metadata={"dagster/row_count": table.num_rows, "engine": settings.engine}, check_results=checks
    )


FIRST_MONTH = ("int_site_versions", "last_day(min(valid_from))")
"""The month of the first listing release loaded: before it, no map of open sites."""


def _model(*names: str) -> list[dg.AssetKey]:
    return [_key(name) for name in names]


COMMON = {"group_name": "intermediate", "owners": [OWNER], "pool": WORK_DB_POOL, "kinds": {"python", "duckdb"}}


@dg.asset(
    key=_key("int_coverage_nearest"),
    deps=_model("int_communes", "int_site_versions", "int_sites_open_monthly", "int_outreach_place_links"),
    check_specs=_specs("int_coverage_nearest"),
    description=(
        "One row per commune with a centroid × month end: nearest open site, nearest fixed site, "
        "nearest mobile site and nearest outreach place (great-circle km), by KD-tree search per "
        "month (months whose open sites did not change reuse the previous answer). Read by "
        "fct_coverage as the dbt source `computed`."
    ),
    **COMMON,
)
def int_coverage_nearest(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Compute the nearest site and place of every commune at every month end."""
    settings = warehouse.settings()
    with _engine_io(settings) as (read, aggregate, write):
        table = coverage_nearest(
            read("int_communes", "latitude is not null"),
            aggregate(*FIRST_MONTH),
            read("int_sites_open_monthly", "has_position"),
            read("int_outreach_place_links", "latitude is not null"),
        )
        return _materialized(settings, "int_coverage_nearest", table, write, ["commune_code", "month_end"], {})


@dg.asset(
    key=_key("int_qpv_nearest_fixed"),
    deps=_model("stg_qpv__neighbourhoods", "int_site_versions", "int_sites_open_monthly"),
    check_specs=_specs("int_qpv_nearest_fixed"),
    description=(
        "One row per QPV commune part × month end (months as int_coverage_nearest): the nearest "
        "open fixed (non-mobile) site and its great-circle km (KD-tree, ingestion.geo.nearest). "
        "Read by mart_qpv_coverage as the dbt source `computed`."
    ),
    **COMMON,
)
def int_qpv_nearest_fixed(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Compute the nearest open fixed site of every QPV commune part at every month end."""
    settings = warehouse.settings()
    with _engine_io(settings) as (read, aggregate, write):
        table = qpv_nearest_fixed(
            read("stg_qpv__neighbourhoods", "latitude is not null"),
            aggregate(*FIRST_MONTH),
            read("int_sites_open_monthly", "has_position and not is_mobile"),
        )
        return _materialized(settings, "int_qpv_nearest_fixed", table, write, ["qpv_key", "month_end"], {})


POINT_VALUES = {"point_kind": ["outreach_place", "site"], "matched_by": ["polygon", "near_point"]}


@dg.asset(
    key=_key("int_qpv_points_inside"),
    deps=_model("stg_qpv__neighbourhoods", "int_outreach_place_links", "int_site_versions"),
    check_specs=_specs("int_qpv_points_inside", tuple(POINT_VALUES)),
    description=(
        "One row per QPV commune part × point inside it: outreach place versions and site "
        "versions inside its polygon (shapely) when the QPV has one, else within 500 m of its "
        "point. Read by mart_qpv_coverage as the dbt source `computed`."
    ),
    **COMMON,
)
def int_qpv_points_inside(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Find the outreach places and sites inside each QPV commune part."""
    settings = warehouse.settings()
    with _engine_io(settings) as (read, _, write):
        table = qpv_points_inside(
            read("stg_qpv__neighbourhoods", "true"),
            read("int_outreach_place_links", "latitude is not null"),
            read("int_site_versions", "latitude is not null"),
        )
        keys = ["qpv_key", "point_kind", "point_key"]
        return _materialized(settings, "int_qpv_points_inside", table, write, keys, POINT_VALUES)


NEAREST_ASSETS = [int_coverage_nearest, int_qpv_nearest_fixed, int_qpv_points_inside]
