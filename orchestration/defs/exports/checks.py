"""Blocking GX gates on the monthly partitions of activity and satisfaction."""

import dagster as dg

from expectations.suites import MAX_REJECTED_SHARE
from ingestion.store import connect, set_load_status
from orchestration.defs.exports.assets import table_key
from orchestration.defs.exports.partitions import PARTITION, RANGE_END, RANGE_START
from orchestration.defs.exports.sources import EXPORT_SOURCES, ExportSource
from orchestration.defs.gx import gate
from orchestration.resources import WarehouseResource


def check_name(source: ExportSource) -> str:
    return f"gx_raw_{source.name}"


def run_months(tags) -> tuple[str, str] | None:
    """The partition range a run materialises, from its tags."""
    if RANGE_START in tags:
        return tags[RANGE_START], tags[RANGE_END]
    if PARTITION in tags:
        return tags[PARTITION], tags[PARTITION]
    return None


def build_check(source: ExportSource) -> dg.AssetChecksDefinition:
    """The GX gate of ``source`` on the months of the run."""

    @dg.asset_check(
        asset=table_key(source),
        name=check_name(source),
        blocking=True,
        description=f"GX suite raw_{source.name} on the partitions materialised by the run.",
    )
    def gx_monthly(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings()
        months = run_months(context.run.tags)
        from expectations.suites import EXPORT_PROFILE_SQL
        from ingestion.activity import PARTNERS

        with connect(settings.work_db) as con:
            where, params = ("where month between ? and ?", list(months)) if months else ("", [])
            sql = EXPORT_PROFILE_SQL[source.name].format(where=where)
            partner_param = [sorted(PARTNERS)] if source.name == "activity" else []
            frame = con.execute(sql, partner_param + params).df()
            shares = dict(
                con.execute(
                    """select load_id, coalesce(rows_quarantined, 0) / greatest(coalesce(rows_loaded, 0) + coalesce(rows_quarantined, 0), 1)
                   from meta.loads where source = ?""",
                    [source.name],
                ).fetchall()
            )
        result = gate(f"raw_{source.name}", frame, settings, reject_share=shares)
        if not result.passed:
            profile_columns = [c for c in frame.columns if c.startswith("rows_")]
            failing = frame[(frame[profile_columns] > 0).any(axis=1)] if profile_columns else frame.iloc[0:0]
            corrupted = sorted(
                {load for load, share in shares.items() if share > MAX_REJECTED_SHARE} & set(frame["load_id"])
            )
            with connect(settings.work_db) as con:
                set_load_status(con, corrupted, "failed", reason=result.description)
                names = [
                    r[0]
                    for r in con.execute(
                        "select file_name from meta.loads where list_contains(?, load_id)", [corrupted]
                    ).fetchall()
                ]
                sample = con.execute(
                    f"select * from raw.{source.name} where list_contains(?, load_id) limit 20",
                    [sorted(set(failing["load_id"]) | set(corrupted))],
                ).df()
            metadata = {
                **result.metadata,
                "corrupted_files": dg.MetadataValue.json(names),
                "failing_rows": dg.MetadataValue.md(sample.to_markdown(index=False) if len(sample) else "(none)"),
            }
            return dg.AssetCheckResult(passed=False, description=result.description, metadata=metadata)
        return result

    return gx_monthly


EXPORT_CHECKS = [build_check(source) for source in EXPORT_SOURCES]
