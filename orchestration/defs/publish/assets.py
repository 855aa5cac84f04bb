"""The publish step: a new serving/warehouse.duckdb, only after every gate passed."""

import dagster as dg

from ingestion.store import connect, set_load_status
from orchestration.publish import publish_serving_db
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

SERVING_DB = dg.AssetKey(["publish", "serving_db"])


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The publish asset, depending on every mart so that it runs last and only on success."""

    @dg.asset(
        key=SERVING_DB,
        deps=upstream,
        group_name="publish",
        kinds={"duckdb"},
        owners=[OWNER],
        pool=WORK_DB_POOL,
        description=(
            "serving/warehouse.duckdb, the read-only copy BI tools open: every mart (dim_, fct_, "
            "mart_) with its dbt descriptions, plus fsw_loads and fsw_quarantine. Written beside "
            "the old file and swapped in atomically (os.replace) after all blocking checks passed. "
            "Refreshed at the end of every successful run."
        ),
    )
    def serving_db(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        with connect(settings.work_db) as con:
            loaded = [r[0] for r in con.execute("select load_id from meta.loads where status = 'loaded'").fetchall()]
            set_load_status(con, loaded, "published")
        try:
            result = publish_serving_db(settings, run_id=context.run_id)
        except BaseException:
            with connect(settings.work_db) as con:
                set_load_status(con, loaded, "loaded")
            raise
        return dg.MaterializeResult(
            metadata={
                "path": result["path"],
                "tables": dg.MetadataValue.json(result["tables"]),
                "rows": sum(result["tables"].values()),
                "loads_published": len(loaded),
                "written_anew": result["written_anew"],
                "months_copied": dg.MetadataValue.json(result["months_copied"]),
            }
        )

    return serving_db
