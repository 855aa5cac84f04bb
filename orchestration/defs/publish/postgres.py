"""The PostgreSQL serving copy: after the DuckDB serving file, when a server is configured."""

import dagster as dg

from orchestration.defs.publish.assets import SERVING_DB
from orchestration.postgres.publish import SCHEMA, error_line, postgres_target, publish_postgres, target_name
from orchestration.resources import OWNER, WarehouseResource

POSTGRES_SERVING = dg.AssetKey(["publish", "postgres"])
NOT_CONFIGURED = "not configured (FSW_POSTGRES_DSN unset, no `fsw serve postgres` server in this home)"


@dg.asset(
    key=POSTGRES_SERVING,
    deps=[SERVING_DB],
    group_name="publish",
    kinds={"postgres"},
    owners=[OWNER],
    description=(
        "Schema fsw of the PostgreSQL serving database (FSW_POSTGRES_DSN, or the home's server "
        "started by `fsw serve postgres`): every table of serving/warehouse.duckdb, copied into a "
        "fresh schema with COPY, indexed, commented, with reader roles and row-level security per "
        "region, then swapped in one transaction. A failure leaves the previous schema serving. "
        "Without a server configured it does nothing."
    ),
)
def postgres_serving(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Copy the just-published serving DB into PostgreSQL (see the description)."""
    import psycopg

    settings = warehouse.settings()
    dsn = postgres_target(settings)
    if dsn is None:
        return dg.MaterializeResult(metadata={"target": NOT_CONFIGURED})
    where = target_name(dsn)
    try:
        result = publish_postgres(settings, dsn, run_id=context.run_id)
    except (psycopg.Error, OSError, RuntimeError) as error:
        raise dg.Failure(
            description=(
                f"PostgreSQL serving not updated ({where}): {error_line(error)}; the previous PostgreSQL data still "
                f"serve, serving/warehouse.duckdb is published"
            )
        ) from None
    return dg.MaterializeResult(
        metadata={
            "target": where,
            "schema": SCHEMA,
            "tables": dg.MetadataValue.json(result.tables),
            "rows": sum(result.tables.values()),
            "regional_roles": len(result.regions),
            "seconds": result.seconds,
            "old_schema_dropped": result.old_schema_dropped,
            "release_summary": dg.MetadataValue.json(
                [f"PostgreSQL {where}: schema {SCHEMA}, {len(result.tables)} tables in {result.seconds:.1f} s"]
            ),
        }
    )
