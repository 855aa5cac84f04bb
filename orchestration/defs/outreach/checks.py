"""Blocking GX gates on the outreach places and their sessions."""

import dagster as dg

from ingestion.store import connect, set_load_status
from orchestration.defs.gx import gate
from orchestration.defs.outreach.assets import RAW_OUTREACH
from orchestration.resources import WarehouseResource

GX_RAW_OUTREACH_PLACES = "gx_raw_outreach_places"
GX_RAW_OUTREACH_SESSIONS = "gx_raw_outreach_sessions"


def _gate_table(warehouse: WarehouseResource, suite: str, table: str) -> dg.AssetCheckResult:
    """Run ``suite`` on ``raw.<table>``; a failure marks the outreach loads of this run failed."""
    settings = warehouse.settings()
    with connect(settings.work_db) as con:
        frame = con.execute(f"select * from raw.{table}").df()
    result = gate(suite, frame, settings)
    if not result.passed:
        with connect(settings.work_db) as con:
            pending = con.execute(
                "select load_id from meta.loads where source = 'outreach' and status = 'loaded'"
            ).fetchall()
            set_load_status(con, [r[0] for r in pending], "failed", reason=result.description)
    return result


@dg.asset_check(asset=RAW_OUTREACH, name=GX_RAW_OUTREACH_PLACES, blocking=True)
def gx_raw_outreach_places(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """GX suite `raw_outreach_places` on `raw.outreach_places` (every place line of every load):
    one row per load × source row, a place id, name, known-format commune code and raw hours on
    each, week parity known, weekly hours between 0 and 168, positions inside France, validity
    dates in order. Blocking: a failure stops dbt and publish, and marks the new loads failed."""
    return _gate_table(warehouse, "raw_outreach_places", "outreach_places")


@dg.asset_check(asset=RAW_OUTREACH, name=GX_RAW_OUTREACH_SESSIONS, blocking=True)
def gx_raw_outreach_sessions(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """GX suite `raw_outreach_sessions` on `raw.outreach_sessions`: weekdays 1–7, sessions that
    end after they start within the day, week parity all/odd/even, one row per place line ×
    weekday × start × parity. Blocking, as the places' gate."""
    return _gate_table(warehouse, "raw_outreach_sessions", "outreach_sessions")


OUTREACH_CHECKS = [gx_raw_outreach_places, gx_raw_outreach_sessions]
