"""The national site listing (asset `raw/site_listing`)."""

from datetime import date

import dagster as dg
import pandas as pd

from ingestion.errors import InputError
from ingestion.landing import read_manifest
from ingestion.sites.changes import describe_changes
from ingestion.sites.releases import Release, assemble_listing
from ingestion.store import connect, loads, quarantine, replace_table, set_load_status
from orchestration.defs.demo import demo_releases, demo_window
from orchestration.defs.insee.assets import RAW_INSEE_REFERENCE
from orchestration.defs.ledger import USABLE
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

RAW_SITE_LISTING = dg.AssetKey(["raw", "site_listing"])


def _releases(settings, ledger: pd.DataFrame) -> list[Release]:
    releases = []
    for _, row in ledger.iterrows():
        landed = read_manifest(settings.landing, "sites", row["load_id"])
        as_of = date.fromisoformat(landed.as_of) if landed.as_of else pd.Timestamp(row["landed_at"]).date()
        releases.append(Release(row["load_id"], as_of, landed.path, landed.sha256))
    return releases


@dg.asset(
    key=RAW_SITE_LISTING,
    deps=[RAW_INSEE_REFERENCE],
    group_name="sites",
    kinds={"duckdb", "pandas", "great_expectations"},
    owners=[OWNER],
    pool=WORK_DB_POOL,
    description=(
        "Every release of the national France Services listing in `raw.site_listing`. Grain: one "
        "row per release (as-of date) × site. Source: the ANCT listings landed by `fsw ingest "
        "sites` (CSV of any dialect or GeoJSON, 2020 map exports to the 2024 data.gouv file), or "
        "the demo releases (a quarterly history) while no real one was loaded. Rebuilt from all "
        "releases on every run, so the order of loading never matters; rows with an unknown "
        "commune or coordinates outside France are noted in quarantine and kept as sites without "
        "a position."
    ),
)
def raw_site_listing(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Read, validate and identify every usable release of the listing."""
    settings = warehouse.settings()
    with connect(settings.work_db) as con:
        ledger = loads(con, "sites", USABLE)
        communes = con.execute("select commune_code, department_code, latitude, longitude from raw.insee_communes").df()
        aliases = dict(con.execute("select alias_code, commune_code from raw.insee_commune_aliases").fetchall())
    releases = _releases(settings, ledger)
    if not releases:
        releases = demo_releases(settings, **demo_window(settings))
        context.log.info(f"no real listing loaded: using the demo releases {[str(r.as_of) for r in releases]}")
    try:
        assembled = assemble_listing(releases, communes, aliases)
    except InputError as error:
        failed = next((r.load_id for r in releases if r.path.name == error.file), None)
        with connect(settings.work_db) as con:
            if failed:
                set_load_status(con, [failed], "failed", reason=error.line())
        raise dg.Failure(description=error.line()) from None
    rows = assembled.rows
    is_demo = bool(releases[0].is_demo)
    rows["is_demo"] = is_demo
    with connect(settings.work_db) as con:
        replace_table(con, "raw", "site_listing", rows)
        for load_id, rejects in assembled.rejects.items():
            if not is_demo:  # demo releases have no load in the ledger to quarantine under
                quarantine(con, load_id, "sites", rejects)
        for load_id, reason in assembled.skipped.items():
            set_load_status(con, [load_id], "loaded" if "replaced" not in reason else "superseded", reason=reason)
        pending = ledger[ledger["status"] == "landed"]["load_id"].tolist()
        for load_id in pending:
            if load_id in assembled.counts:
                set_load_status(
                    con,
                    [load_id],
                    "loaded",
                    rows_loaded=assembled.counts[load_id],
                    rows_quarantined=len(assembled.rejects.get(load_id, [])),
                )
    per_release = (
        rows.groupby("as_of")
        .agg(
            sites=("site_id", "size"),
            mobile=("is_mobile", "sum"),
            outreach=("does_outreach", "sum"),
            without_position=("has_position", lambda v: int((~v).sum())),
        )
        .reset_index()
    )
    as_of_by_load = {r.load_id: r.as_of for r in releases}
    # What the releases new in this run changed, for the command's summary.
    summary_lines = [
        describe_changes(as_of_by_load[load_id], assembled.changes[load_id], assembled.unknown_values.get(load_id, {}))
        for load_id in sorted(set(pending) & set(assembled.changes), key=lambda load_id: as_of_by_load[load_id])
    ]
    return dg.MaterializeResult(
        metadata={
            "rows": len(rows),
            "releases": len(assembled.counts),
            "quarantined_rows": int(sum(len(r) for r in assembled.rejects.values())),
            "demo": is_demo,
            "landing_files": dg.MetadataValue.json(
                [{"load_id": r.load_id, "file": r.path.name, "as_of": str(r.as_of)} for r in releases]
            ),
            "sha256": ", ".join(r.sha256 for r in releases),
            "hours_parser_coverage": dg.MetadataValue.json(assembled.hours_coverage),
            "sites_per_release": dg.MetadataValue.md(per_release.to_markdown(index=False)),
            "release_summary": dg.MetadataValue.json(summary_lines),
            "unknown_values": dg.MetadataValue.json(assembled.unknown_values),
            "preview": dg.MetadataValue.md(
                rows[["site_id", "site_name", "commune_code", "site_type", "site_format", "as_of"]]
                .head(10)
                .to_markdown(index=False)
            ),
        }
    )
