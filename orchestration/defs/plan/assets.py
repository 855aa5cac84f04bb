"""Where the next sites should go (asset `raw/site_proposals`), materialised by `fsw plan`."""

import json

import dagster as dg

from ingestion.errors import InputError
from orchestration.plan import plan_sites
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

SITE_PROPOSALS = dg.AssetKey(["raw", "site_proposals"])
COVERAGE = dg.AssetKey(["marts", "fct_coverage"])
COMMUNES = dg.AssetKey(["marts", "dim_commune"])


class PlanConfig(dg.Config):
    """What `fsw plan` asks for."""

    n_sites: int = 10
    scope: str = "national"  # national, region:<code> or department:<code>


@dg.asset(
    key=SITE_PROPOSALS,
    deps=[COVERAGE, COMMUNES],
    group_name="plan",
    kinds={"duckdb", "scipy"},
    owners=[OWNER],
    pool=WORK_DB_POOL,
    description=(
        "`raw.site_proposals`: the communes proposed by the last `fsw plan --sites N` (greedy maximal "
        "30-minute coverage over the coverage of the latest month), one row per pick. Materialised on "
        "demand (job `plan_sites`, run config `n_sites`, `scope`), never by a load; dbt turns it into "
        "mart_site_proposals."
    ),
)
def raw_site_proposals(config: PlanConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Compute the proposals and write `raw.site_proposals`; the picks are in the metadata."""
    try:
        table = plan_sites(warehouse.settings(), config.n_sites, config.scope)
    except InputError as error:
        raise dg.Failure(description=error.line()) from None
    picks = json.loads(table.to_json(orient="records", date_format="iso"))
    return dg.MaterializeResult(
        metadata={
            "picks": dg.MetadataValue.json(picks),
            "population_newly_covered": int(table["population_newly_covered"].sum()) if len(table) else 0,
            "scope": config.scope,
        }
    )
