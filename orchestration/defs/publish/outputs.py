"""What the monthly outputs job writes: extracts for every region, and the dbt docs."""

from datetime import date

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from ingestion.errors import InputError
from orchestration.config import dbt_vars
from orchestration.defs.publish.assets import SERVING_DB
from orchestration.extracts import write_extract
from orchestration.report import report_markdown
from orchestration.resources import OWNER, WarehouseResource

EXTRACTS = dg.AssetKey(["publish", "extracts"])


class ExtractConfig(dg.Config):
    """What `fsw extract` asks for; the monthly schedule uses the defaults."""

    scopes: list[str] = []  # national, region:<code>, department:<code>; empty: national and every region
    format: str = "csv"  # csv, xlsx or parquet


DBT_DOCS = dg.AssetKey(["publish", "dbt_docs"])


@dg.asset(
    key=EXTRACTS,
    deps=[SERVING_DB],
    group_name="publish",
    kinds={"duckdb", "pandas"},
    owners=[OWNER],
    description=(
        "FSW_HOME/extracts/<day>/<scope>/: the national extract and one per region (one file per table, "
        "rows sorted by territory then month, measures rounded to what they mean; CSV for French Excel, "
        "XLSX with a French Lisez-moi sheet; a coverage map titled with the territory and the data "
        "month; report.html, a self-contained French report whose national figures are shown here as "
        "metadata; a manifest giving each file's publication), read from the published serving DB only, "
        "so a failed load never changes them. Refreshed monthly (schedule monthly_extracts: national "
        "and every region, CSV) or on demand (`fsw extract`: the scope and format asked, as run config)."
    ),
)
def extracts(
    context: dg.AssetExecutionContext, config: ExtractConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Write today's extracts of the configured scopes (by default national and every region)."""
    settings = warehouse.settings()
    scopes = list(config.scopes) or ["national", *(f"region:{code}" for code in _regions(settings))]
    written, folders, files = {}, {}, {}
    national_report = None
    for scope in scopes:
        try:
            result = write_extract(settings, scope, config.format, day=date.today(), run_id=context.run_id)
        except InputError as error:
            raise dg.Failure(description=error.line()) from None
        written[scope] = sum(v for k, v in result.files.items() if not k.endswith((".png", ".html")))
        folders[scope], files[scope] = str(result.folder), result.files
        context.log.info(f"{scope}: {result.folder}")
        if result.report is not None and result.report.kind == "national":
            national_report = report_markdown(result.report)
    metadata = {
        "scopes": len(written),
        "rows": sum(written.values()),
        "format": config.format,
        "by_scope": dg.MetadataValue.json(written),
        "folders": dg.MetadataValue.json(folders),
        "files": dg.MetadataValue.json(files),
    }
    if national_report is not None:
        metadata["national_report"] = dg.MetadataValue.md(national_report)
    return dg.MaterializeResult(metadata=metadata)


def _regions(settings) -> list[str]:
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        return [
            r[0]
            for r in con.execute(
                "select distinct region_code from dim_commune where region_code is not null order by 1"
            ).fetchall()
        ]
    finally:
        con.close()


@dg.asset(
    key=DBT_DOCS,
    deps=[SERVING_DB],
    group_name="publish",
    kinds={"dbt"},
    owners=[OWNER],
    description="`dbt docs generate` of the project into FSW_HOME/docs/dbt/ (open index.html). Monthly.",
)
def dbt_docs(warehouse: WarehouseResource, dbt: DbtCliResource) -> dg.MaterializeResult:
    """Generate dbt's documentation site from the work DB's catalog, through the dbt resource."""
    settings = warehouse.settings()
    target = settings.docs / "dbt"
    invocation = dbt.cli(
        ["docs", "generate", "--vars", dbt_vars(settings.travel)],
        target_path=target,
        working_dir=settings.home,
        raise_on_error=False,
    ).wait()
    if not invocation.is_successful():
        raise dg.Failure(description=f"dbt docs generate failed (log: {target / 'dbt.log'})")
    return dg.MaterializeResult(metadata={"path": str(target / "index.html")})
