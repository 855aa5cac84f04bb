"""The dbt project as Dagster assets: staging → intermediate → marts, tests as checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ingestion.faults import crash_point
from orchestration.config import dbt_vars
from orchestration.progress import report_progress
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource, dbt_project
from orchestration.spark_build import PYTHON_MODELS, prepare_spark_build

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
    """Build and test every selected dbt model (`dbt build`) on the engine of the settings: in
    work.duckdb, or on Spark (FSW_ENGINE=spark) from the raw tables as Parquet.

    dbt tests arrive as asset checks; a failing test with severity `error` fails the step, so
    nothing downstream (publish, extracts) runs. The travel model comes from the settings.
    """
    settings = warehouse.settings()
    # dbt's artefacts of each run go under FSW_HOME, not into the project folder; dbt runs in
    # FSW_HOME, where the profile's relative DuckDB path points.
    target = settings.home / "dbt" / "target"
    args = ["build", "--vars", dbt_vars(settings.travel)]
    # On Spark the Python models' tables are computed before the build (prepare_spark_build):
    # each is reported once the models it reads are, as Dagster wants outputs in graph order.
    waiting: dict[dg.AssetKey, set[dg.AssetKey]] = {}
    if settings.engine == "spark":
        args += prepare_spark_build(settings, context.log.info)
        selected = context.selected_asset_keys
        for name in PYTHON_MODELS:
            key = dg.AssetKey(["intermediate", name])
            if key in selected:
                waiting[key] = set(context.assets_def.asset_deps[key]) & selected
    total, built = len(context.selected_asset_keys), 0  # models and seeds; tests are checks
    yield from _python_models_ready(context, waiting)
    for event in dbt.cli(args, context=context, target_path=target, working_dir=settings.home).stream():
        crash_point("dbt_build")
        if isinstance(event, dg.Output):
            built += 1
            report_progress(context.log, "dbt models built", built, total)
        yield event
        if isinstance(event, dg.Output) and waiting:
            done = context.asset_key_for_output(event.output_name)
            for upstream in waiting.values():
                upstream.discard(done)
            yield from _python_models_ready(context, waiting)


def _python_models_ready(context: dg.AssetExecutionContext, waiting: dict[dg.AssetKey, set[dg.AssetKey]]):
    """Outputs of the Spark build's Python models whose upstream models are all reported."""
    for key in [key for key, upstream in waiting.items() if not upstream]:
        del waiting[key]
        output_name = context.assets_def.get_output_name_for_asset_key(key)
        yield dg.Output(None, output_name=output_name, metadata={"engine": "spark"})
