"""The dbt project as Dagster assets: staging → intermediate → marts, tests as checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ingestion.faults import crash_point
from orchestration.config import dbt_vars
from orchestration.progress import report_progress
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource, dbt_project

LAYERS = ("staging", "intermediate", "marts")


class LayeredTranslator(DagsterDbtTranslator):
    """Asset keys say the layer (`marts/dim_commune`); sources keep their `meta.dagster` key."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        fqn = dbt_resource_props.get("fqn", [])
        layer = next((part for part in fqn if part in LAYERS), dbt_resource_props["resource_type"] + "s")
        return dg.AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return self.get_asset_key(dbt_resource_props).path[0]

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]


translator = LayeredTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_duplicate_source_asset_keys=True)
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WORK_DB_POOL,
    name="dbt_models",
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Build and test every selected dbt model in work.duckdb (`dbt build`).

    dbt tests arrive as asset checks; a failing test with severity `error` fails the step, so
    nothing downstream (publish, extracts) runs. The travel model comes from the settings.
    """
    settings = warehouse.settings()
    # dbt's artefacts of each run go under FSW_HOME, not into the project folder; dbt runs in
    # FSW_HOME, where the profile's relative DuckDB path points.
    target = settings.home / "dbt" / "target"
    args = ["build", "--vars", dbt_vars(settings.travel)]
    total, built = len(context.selected_asset_keys), 0  # models and seeds; tests are checks
    for event in dbt.cli(args, context=context, target_path=target, working_dir=settings.home).stream():
        crash_point("dbt_build")
        if isinstance(event, dg.Output):
            built += 1
            report_progress(context.log, "dbt models built", built, total)
        yield event
