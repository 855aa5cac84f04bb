"""The one entry point of the Dagster code location (`dagster dev` from the project root)."""

from __future__ import annotations

import dagster as dg

from ingestion.landing import SOURCES

from orchestration.config import apply_environment, load_settings
from orchestration.defs.dbt.assets import dbt_models
from orchestration.defs.exports.assets import FILES_ASSETS, MONTHLY_ASSETS
from orchestration.defs.exports.checks import EXPORT_CHECKS
from orchestration.defs.insee.assets import raw_insee_reference
from orchestration.defs.insee.checks import gx_raw_insee_communes
from orchestration.defs.automation import (
    FRESHNESS_CHECKS,
    build_after_load_sensor,
    build_inbox_sensor,
    build_schedules,
)
from orchestration.defs.publish.assets import build_publish_asset
from orchestration.defs.publish.outputs import dbt_docs, extracts
from orchestration.defs.sites.assets import raw_barometer, raw_site_listing
from orchestration.defs.sites.checks import gx_raw_site_listing
from orchestration.progress import progress_logger
from orchestration.resources import OWNER, WarehouseResource, dbt_resource

apply_environment(load_settings())

serving_db = build_publish_asset(sorted(k for k in dbt_models.keys if k.path[0] == "marts"))

site_proposals = dg.AssetSpec(
    key=["raw", "site_proposals"],
    description=(
        "`raw.site_proposals`: the communes proposed by the last `fsw plan --sites N` (greedy maximal "
        "30-minute coverage), one row per pick. Written by the CLI, not by a run; dbt turns it into "
        "mart_site_proposals."
    ),
    group_name="plan",
    kinds={"duckdb"},
    owners=[OWNER],
)

RAW_SOURCES = [raw_insee_reference, raw_site_listing, raw_barometer, *FILES_ASSETS]
# Sources rebuilt in full from everything landed: (asset, the raw table it writes).
REBUILT_SOURCES = {
    "insee": (raw_insee_reference, "insee_communes"),
    "sites": (raw_site_listing, "site_listing"),
    "barometer": (raw_barometer, "barometer"),
}
OUTPUTS = [extracts, dbt_docs]

REFRESH_JOB = "refresh_all"
refresh_all = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*OUTPUTS),
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
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*RAW_SOURCES, *OUTPUTS),
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
    assets=[site_proposals, *RAW_SOURCES, *MONTHLY_ASSETS, dbt_models, serving_db, *OUTPUTS],
    asset_checks=[gx_raw_insee_communes, gx_raw_site_listing, *EXPORT_CHECKS, *FRESHNESS_CHECKS],
    jobs=[refresh_all, load_sources, build_and_publish, write_outputs, check_freshness],
    schedules=build_schedules(load_sources, write_outputs, check_freshness),
    sensors=SENSORS,
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
    loggers={"progress": progress_logger},
)
