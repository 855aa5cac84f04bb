"""The one entry point of the Dagster code location (`dagster dev` from the project root)."""

from __future__ import annotations

import dagster as dg

from orchestration.config import apply_environment, load_settings
from orchestration.defs.dbt.assets import dbt_models
from orchestration.defs.insee.assets import raw_insee_reference
from orchestration.defs.insee.checks import gx_raw_insee_communes
from orchestration.defs.publish.assets import build_publish_asset
from orchestration.defs.sites.assets import raw_barometer, raw_site_listing
from orchestration.defs.sites.checks import gx_raw_site_listing
from orchestration.progress import progress_logger
from orchestration.resources import WarehouseResource, dbt_resource

apply_environment(load_settings())

serving_db = build_publish_asset(sorted(k for k in dbt_models.keys if k.path[0] == "marts"))

REFRESH_JOB = "refresh_all"
refresh_all = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    description="Rebuild every raw table, run the gates, build dbt and publish the serving DB.",
    executor_def=dg.in_process_executor,
)

defs = dg.Definitions(
    assets=[raw_insee_reference, raw_site_listing, raw_barometer, dbt_models, serving_db],
    asset_checks=[gx_raw_insee_communes, gx_raw_site_listing],
    jobs=[refresh_all],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
    loggers={"progress": progress_logger},
)
