"""Priority neighbourhoods of city policy, both generations (asset `raw/qpv`)."""

import dagster as dg

from ingestion.errors import InputError
from ingestion.landing import read_manifest
from ingestion.qpv import EMBEDDED_LOAD_ID, combine_qpv_loads, load_qpv_snapshot, read_qpv_file
from ingestion.store import connect, loads, quarantine, replace_table, set_load_status
from orchestration.defs.insee.assets import RAW_INSEE_REFERENCE
from orchestration.defs.ledger import USABLE
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

RAW_QPV = dg.AssetKey(["raw", "qpv"])


@dg.asset(
    key=RAW_QPV,
    deps=[RAW_INSEE_REFERENCE],
    group_name="qpv",
    kinds={"duckdb", "pandas", "great_expectations"},
    owners=[OWNER],
    pool=WORK_DB_POOL,
    description=(
        "Priority neighbourhoods (QPV) in `raw.qpv`. Grain: one row per generation (2015 `QP…`, "
        "2024 `QN…`) × QPV × commune it covers, with its name, population (of the whole QPV) and "
        "outline (WKT) where a file gives them, and a point. Source: the embedded 2024 list, "
        "overlaid with every file landed by `fsw ingest qpv` (ANCT points per commune, 2015 "
        "outlines GeoJSON, CSV with populations): the newest load giving an attribute wins. "
        "Rebuilt from all loads on every run."
    ),
)
def raw_qpv(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Read the embedded list and every usable QPV load, and combine them into one table."""
    settings = warehouse.settings()
    with connect(settings.work_db) as con:
        ledger = loads(con, "qpv", USABLE)
        communes = con.execute(
            "select commune_code, commune_name, commune_type, department_code from raw.insee_communes"
        ).df()
        aliases = dict(con.execute("select alias_code, commune_code from raw.insee_commune_aliases").fetchall())
    read, files = {}, []
    for _, row in ledger.iterrows():
        landed = read_manifest(settings.landing, "qpv", row["load_id"])
        try:
            read[landed.load_id] = read_qpv_file(landed.path, communes, aliases)
        except InputError as error:
            with connect(settings.work_db) as con:
                set_load_status(con, [landed.load_id], "failed", reason=error.line())
            raise dg.Failure(description=error.line(), metadata={"landing_file": str(landed.path)}) from None
        parsed = read[landed.load_id]
        files.append({"load_id": landed.load_id, "file": landed.original_name, "shape": parsed.shape})
        context.log.info(f"{landed.original_name}: {len(parsed.rows)} QPV × commune rows ({parsed.shape})")
    table = combine_qpv_loads(
        [(EMBEDDED_LOAD_ID, load_qpv_snapshot()), *((load_id, parsed.rows) for load_id, parsed in read.items())]
    )
    table["is_embedded"] = table["load_id"] == EMBEDDED_LOAD_ID
    with connect(settings.work_db) as con:
        replace_table(con, "raw", "qpv", table)
        quarantined = {load_id: quarantine(con, load_id, "qpv", parsed.rejects) for load_id, parsed in read.items()}
        for load_id in ledger[ledger["status"] == "landed"]["load_id"]:
            set_load_status(
                con,
                [load_id],
                "loaded",
                rows_loaded=len(read[load_id].rows),
                rows_quarantined=quarantined[load_id],
            )
    by_generation = table.groupby("generation").agg(
        qpvs=("qpv_code", "nunique"),
        rows=("qpv_code", "size"),
        with_polygon=("has_polygon", "sum"),
        with_population=("population", "count"),
    )
    return dg.MaterializeResult(
        metadata={
            "rows": len(table),
            "quarantined_rows": sum(quarantined.values()),
            "by_generation": dg.MetadataValue.md(by_generation.reset_index().to_markdown(index=False)),
            "embedded_only": not read,
            "landing_files": dg.MetadataValue.json(files or [{"file": "embedded 2024 QPV list"}]),
        }
    )
