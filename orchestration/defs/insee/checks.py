"""Blocking GX gate on the raw INSEE communes."""

import dagster as dg

from ingestion.store import connect, set_load_status
from orchestration.defs.gx import gate
from orchestration.defs.insee.assets import RAW_INSEE_REFERENCE
from orchestration.resources import WarehouseResource

GX_RAW_INSEE_COMMUNES = "gx_raw_insee_communes"


@dg.asset_check(asset=RAW_INSEE_REFERENCE, name=GX_RAW_INSEE_COMMUNES, blocking=True)
def gx_raw_insee_communes(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """GX suite `raw_insee_communes` on `raw.insee_communes`: code format and uniqueness,
    population ≥ 0, centroids inside France or an overseas department, departments known.
    Blocking: a failure stops dbt and publish, and marks the new INSEE loads failed."""
    settings = warehouse.settings()
    with connect(settings.work_db) as con:
        frame = con.execute("select * from raw.insee_communes").df()
    result = gate("raw_insee_communes", frame, settings)
    if not result.passed:
        with connect(settings.work_db) as con:
            pending = con.execute(
                "select load_id from meta.loads where source = 'insee' and status = 'loaded'"
            ).fetchall()
            set_load_status(con, [r[0] for r in pending], "failed", reason=result.description)
    return result
