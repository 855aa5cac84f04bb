"""Blocking GX gate on the priority neighbourhoods."""

import dagster as dg

from ingestion.store import connect, set_load_status
from orchestration.defs.gx import gate
from orchestration.defs.qpv.assets import RAW_QPV
from orchestration.resources import WarehouseResource

GX_RAW_QPV = "gx_raw_qpv"


@dg.asset_check(asset=RAW_QPV, name=GX_RAW_QPV, blocking=True)
def gx_raw_qpv(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """GX suite `raw_qpv` on `raw.qpv`: codes well formed and of the generation they say (QP…
    2015, QN… 2024), one row per generation × QPV × commune, commune codes well formed,
    populations ≥ 0, points inside France, an outline flag that matches the WKT. Blocking: a
    failure stops dbt and publish, and marks the new QPV loads failed."""
    settings = warehouse.settings()
    with connect(settings.work_db) as con:
        frame = con.execute("select * from raw.qpv").df()
    result = gate("raw_qpv", frame, settings)
    if not result.passed:
        with connect(settings.work_db) as con:
            pending = con.execute(
                "select load_id from meta.loads where source = 'qpv' and status = 'loaded'"
            ).fetchall()
            set_load_status(con, [r[0] for r in pending], "failed", reason=result.description)
    return result
