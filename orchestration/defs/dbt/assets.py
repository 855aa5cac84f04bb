"""The dbt project as Dagster assets: staging → intermediate → marts, tests as checks."""

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ingestion.errors import InputError
from ingestion.faults import crash_point
from orchestration.config import dbt_vars
from orchestration.progress import report_progress
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource, dbt_project
from orchestration.spark_build import prepare_spark_build

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


AFTER_COMPUTED = "source:computed+"
"""The models that read the tables computed in Python (orchestration.defs.nearest), and what
depends on them: built by a second dbt step, once those tables are written."""


def _dbt_step(name: str, description: str, extra: tuple[str, ...] = (), **selection: str) -> dg.AssetsDefinition:
    """One dbt step: the models of ``selection`` (dbt's select/exclude) as Dagster assets;
    ``extra`` goes to every `dbt build` of the step, subsets included."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=translator,
        pool=WORK_DB_POOL,
        name=name,
        **selection,
    )
    def step(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        yield from _dbt_build(context, dbt, warehouse, extra)

    step.__doc__ = description
    return step


dbt_models = _dbt_step(
    "dbt_models",
    """Build and test every selected dbt model (`dbt build`) but those reading the tables
    computed in Python, on the engine of the settings: in work.duckdb, or on Spark
    (FSW_ENGINE=spark) from the raw tables as Parquet. dbt tests arrive as asset checks; a
    failing test with severity `error` fails the step, so nothing downstream (publish,
    extracts) runs. The travel model comes from the settings.""",
    # Also on subsets, where dagster-dbt selects models by name: dbt's eager exclusion then
    # leaves the tests that also read a second-step model (they run in that step, once it is
    # built), instead of running them on its previous build.
    extra=("--exclude", AFTER_COMPUTED),
    exclude=AFTER_COMPUTED,
)
dbt_models_after_computed = _dbt_step(
    "dbt_models_after_computed",
    """Build and test the selected models that read the tables computed in Python (fct_coverage,
    mart_qpv_coverage) and those depending on them, as `dbt_models` does: one dbt graph in two
    steps, dbt tests between a model of each step run in the second.""",
    select=AFTER_COMPUTED,
)


def _dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, extra: tuple[str, ...] = ()
):
    """`dbt build` of the selected models, their tests as asset checks, progress logged."""
    settings = warehouse.settings()
    # dbt's artefacts of each run go under FSW_HOME, not into the project folder; dbt runs in
    # FSW_HOME, where the profile's relative DuckDB path points.
    target = settings.home / "dbt" / "target"
    args = ["build", "--vars", dbt_vars(settings.travel), *extra]
    if settings.engine == "spark":
        # The raw tables as Parquet, when this step builds the staging models that read them.
        staging = any(
            key.path[0] == "staging" and not key.path[-1].startswith("stg_computed__")
            for key in context.selected_asset_keys
        )
        try:
            args += prepare_spark_build(settings, export=staging, log=context.log.info)
        except InputError as error:
            raise dg.Failure(description=error.line()) from None
    total, built = len(context.selected_asset_keys), set()  # models and seeds; tests are checks
    started = time.time()
    for event in dbt.cli(args, context=context, target_path=target, working_dir=settings.home).stream():
        crash_point("dbt_build")
        if isinstance(event, dg.Output):
            built.add(event.output_name)
            report_progress(context.log, "dbt models built", len(built), total)
        yield event
    yield from _outputs_missed(context, target / "run_results.json", built, started)


def _outputs_missed(context: dg.AssetExecutionContext, run_results: Path, built: set[str], started: float):
    """Outputs of the models dbt built but whose result line dagster-dbt could not read.

    dagster-dbt reads dbt's JSON lines on stdout; anything else printing there (a JVM) can
    break one, and a model without its output skips everything downstream. dbt's
    run_results.json of the same invocation says what succeeded.
    """
    outputs = {context.assets_def.get_output_name_for_asset_key(key): key for key in context.selected_asset_keys}
    missing = {name: key for name, key in outputs.items() if name not in built}
    if not missing or not run_results.exists() or run_results.stat().st_mtime < started:
        return
    succeeded = {
        result["unique_id"].split(".")[-1]
        for result in json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
        if result["unique_id"].split(".")[0] in ("model", "seed") and result.get("status") == "success"
    }
    for output_name, key in sorted(missing.items()):
        if key.path[-1] in succeeded:
            context.log.warning(
                f"{key.to_user_string()}: built by dbt, its result line unreadable; from run_results.json"
            )
            yield dg.Output(None, output_name=output_name, metadata={"reported_from": "run_results.json"})
