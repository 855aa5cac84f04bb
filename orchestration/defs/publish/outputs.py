"""What the monthly outputs job writes: extracts for every region, and the dbt docs."""

import subprocess
from datetime import date

import dagster as dg

from orchestration.config import dbt_command
from orchestration.defs.publish.assets import SERVING_DB
from orchestration.resources import OWNER, WarehouseResource

EXTRACTS = dg.AssetKey(["publish", "extracts"])
DBT_DOCS = dg.AssetKey(["publish", "dbt_docs"])


@dg.asset(
    key=EXTRACTS, deps=[SERVING_DB], group_name="publish", kinds={"duckdb", "pandas"}, owners=[OWNER],
    description=(
        "FSW_HOME/extracts/<day>/: the national extract and one per region (CSV for French Excel, with "
        "a coverage map), read from the published serving DB only, so a failed load never changes "
        "them. Refreshed monthly (schedule monthly_extracts) or on demand (`fsw extract`)."
    ),
)
def extracts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Write the national and every regional extract of today."""
    import duckdb

    from orchestration.extracts import write_extract

    settings = warehouse.settings()
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        regions = [r[0] for r in con.execute(
            "select distinct region_code from dim_commune where region_code is not null order by 1").fetchall()]
    finally:
        con.close()
    written = {}
    for scope in ["national", *(f"region:{code}" for code in regions)]:
        result = write_extract(settings, scope, "csv", day=date.today(), run_id=context.run_id)
        written[scope] = sum(v for k, v in result.files.items() if not k.endswith(".png"))
        context.log.info(f"{scope}: {result.folder}")
    return dg.MaterializeResult(metadata={"scopes": len(written), "rows": sum(written.values()),
                                          "by_scope": dg.MetadataValue.json(written)})


@dg.asset(
    key=DBT_DOCS, deps=[SERVING_DB], group_name="publish", kinds={"dbt"}, owners=[OWNER],
    description="`dbt docs generate` of the project into FSW_HOME/docs/dbt/ (open index.html). Monthly.",
)
def dbt_docs(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Generate dbt's documentation site from the work DB's catalog."""
    settings = warehouse.settings()
    target = settings.docs / "dbt"
    done = subprocess.run(dbt_command("docs", "generate", "--target-path", str(target), "--quiet"),
                          capture_output=True, text=True, cwd=settings.home)
    if done.returncode != 0:
        raise dg.Failure(description=f"dbt docs generate failed: {(done.stdout + done.stderr).strip()[-300:]}")
    return dg.MaterializeResult(metadata={"path": str(target / "index.html")})
