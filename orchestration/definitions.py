"""The one entry point of the Dagster code location (`dagster dev` from the project root)."""

from __future__ import annotations

import dagster as dg

from ingestion.landing import SOURCES
from orchestration.config import apply_environment, load_settings
from orchestration.defs.automation import (
    FRESHNESS_CHECKS,
    build_after_load_sensor,
    build_inbox_sensor,
    build_schedules,
)
from orchestration.defs.barometer.checks import warehouse_within_20_percent_of_published
from orchestration.defs.catalog import OUTPUTS, RAW_SOURCES
from orchestration.defs.dbt.assets import dbt_models, dbt_models_after_computed
from orchestration.defs.exports.assets import MONTHLY_ASSETS
from orchestration.defs.exports.checks import EXPORT_CHECKS
from orchestration.defs.insee.checks import gx_raw_insee_communes
from orchestration.defs.nearest.assets import NEAREST_ASSETS
from orchestration.defs.outreach.checks import OUTREACH_CHECKS
from orchestration.defs.plan.assets import SITE_PROPOSALS, raw_site_proposals
from orchestration.defs.publish.assets import SERVING_DB, build_publish_asset
from orchestration.defs.publish.outputs import extracts
from orchestration.defs.publish.postgres import POSTGRES_SERVING, postgres_serving
from orchestration.defs.qpv.checks import gx_raw_qpv
from orchestration.defs.sites.checks import gx_raw_site_listing
from orchestration.progress import progress_logger
from orchestration.resources import WarehouseResource, dbt_resource

apply_environment(load_settings())

DBT_ASSETS = [dbt_models, dbt_models_after_computed]
serving_db = build_publish_asset(sorted(key for asset in DBT_ASSETS for key in asset.keys if key.path[0] == "marts"))

PLAN_ASSETS = [raw_site_proposals]
PLANNED = [
    SITE_PROPOSALS,
    dg.AssetKey(["staging", "stg_plan__site_proposals"]),
    dg.AssetKey(["marts", "mart_site_proposals"]),
    SERVING_DB,
    POSTGRES_SERVING,
]

REFRESH_JOB = "refresh_all"
refresh_all = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*OUTPUTS, *PLAN_ASSETS),
    description=(
        "Rebuild every raw table, the monthly partitions chosen (activity, satisfaction), run the "
        "gates, build dbt and publish the serving DB."
    ),
    executor_def=dg.in_process_executor,
)

LOAD_SOURCES_JOB = "load_sources"
load_sources = dg.define_asset_job(
    LOAD_SOURCES_JOB,
    selection=dg.AssetSelection.assets(*RAW_SOURCES),
    description="Land-side step: reference data, listing, barometer, and parse every newly landed export.",
    executor_def=dg.in_process_executor,
)

BUILD_JOB = "build_and_publish"
build_and_publish = dg.define_asset_job(
    BUILD_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*RAW_SOURCES, *OUTPUTS, *PLAN_ASSETS),
    description="Monthly partitions of the exports (a single run per range), dbt build and publish.",
    executor_def=dg.in_process_executor,
)

OUTPUTS_JOB = "write_outputs"
write_outputs = dg.define_asset_job(
    OUTPUTS_JOB,
    selection=dg.AssetSelection.assets(*OUTPUTS),
    description="National and regional extracts and the dbt docs, from the published serving DB.",
    executor_def=dg.in_process_executor,
)

PLAN_JOB = "plan_sites"
plan_sites = dg.define_asset_job(
    PLAN_JOB,
    selection=dg.AssetSelection.assets(*PLANNED),
    description="`fsw plan`: propose where the next sites go (run config n_sites, scope), build "
    "mart_site_proposals and publish.",
    executor_def=dg.in_process_executor,
)

EXTRACTS_JOB = "write_extracts"
write_extracts = dg.define_asset_job(
    EXTRACTS_JOB,
    selection=dg.AssetSelection.assets(extracts),
    description="`fsw extract`: the extracts of the scopes and format of the run config, from the "
    "published serving DB.",
    executor_def=dg.in_process_executor,
)

FRESHNESS_JOB = "check_freshness"
check_freshness = dg.define_asset_job(
    FRESHNESS_JOB,
    selection=dg.AssetSelection.checks(*FRESHNESS_CHECKS),
    description="Evaluate the 45-day freshness checks of the sources.",
    executor_def=dg.in_process_executor,
)

SENSORS = [
    *(build_inbox_sensor(source, LOAD_SOURCES_JOB) for source in SOURCES),
    build_after_load_sensor(load_sources, build_and_publish),
]

defs = dg.Definitions(
    assets=[
        *PLAN_ASSETS,
        *RAW_SOURCES,
        *MONTHLY_ASSETS,
        *DBT_ASSETS,
        *NEAREST_ASSETS,
        serving_db,
        postgres_serving,
        *OUTPUTS,
    ],
    asset_checks=[
        gx_raw_insee_communes,
        gx_raw_site_listing,
        *OUTREACH_CHECKS,
        gx_raw_qpv,
        *EXPORT_CHECKS,
        *FRESHNESS_CHECKS,
        warehouse_within_20_percent_of_published,
    ],
    jobs=[refresh_all, load_sources, build_and_publish, write_outputs, write_extracts, plan_sites, check_freshness],
    schedules=build_schedules(load_sources, write_outputs, check_freshness),
    sensors=SENSORS,
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
    loggers={"progress": progress_logger},
)
