"""Outreach places and their weekly sessions (asset `raw/outreach`)."""

from datetime import date

import dagster as dg
import pandas as pd

from ingestion.errors import InputError
from ingestion.landing import read_manifest
from ingestion.outreach import OutreachFile, read_outreach_places
from ingestion.outreach.reader import PLACE_COLUMNS, SESSION_COLUMNS, empty_places, empty_sessions
from ingestion.store import connect, loads, quarantine, replace_table, set_load_status
from orchestration.defs.insee.assets import RAW_INSEE_REFERENCE
from orchestration.defs.ledger import USABLE
from orchestration.defs.outreach.demo import ensure_demo_outreach
from orchestration.defs.sites.assets import RAW_SITE_LISTING
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

RAW_OUTREACH = dg.AssetKey(["raw", "outreach"])
LOAD_TYPES = {"load_id": "string", "file_name": "string", "file_shape": "string", "as_of": "datetime64[s]"}
LOAD_TYPES["is_demo"] = "bool"
DEMO_REPLACED = "a real outreach load replaces the demo places"


def _as_of(landed, row: pd.Series) -> date:
    return date.fromisoformat(landed.as_of) if landed.as_of else pd.Timestamp(row["landed_at"]).date()


@dg.asset(
    key=RAW_OUTREACH,
    deps=[RAW_INSEE_REFERENCE, RAW_SITE_LISTING],
    group_name="outreach",
    kinds={"duckdb", "pandas", "great_expectations"},
    owners=[OWNER],
    pool=WORK_DB_POOL,
    description=(
        "Places a bus or a permanence serves, and when: `raw.outreach_places` (grain: one row per "
        "load × place line of the file, with its validity, raw opening_hours, week parity, site_id "
        "or parent structure, department and position) and `raw.outreach_sessions` (grain: place "
        "line × weekday × start × end × week parity). Source: files landed by `fsw ingest "
        "outreach` (lieux de médiation numérique JSON/CSV, or the local-team template), or, while "
        "none was loaded, demo stops for the listing's mobile sites (6–12 each). Rebuilt "
        "from every usable load on each run; a point more than 20 km from its commune is replaced "
        "by the commune's (noted in quarantine); unreadable hours are quarantined."
    ),
)
def raw_outreach(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Read every usable outreach load into the places and sessions tables."""
    settings = warehouse.settings()
    ensure_demo_outreach(settings)
    with connect(settings.work_db) as con:
        ledger = loads(con, "outreach", USABLE)
        communes = con.execute("select commune_code, department_code, latitude, longitude from raw.insee_communes").df()
        aliases = dict(con.execute("select alias_code, commune_code from raw.insee_commune_aliases").fetchall())
    real = ledger[~ledger["is_demo"].astype(bool)]
    # Demo places stand in only while no real file was loaded (the demo rule of every source).
    replaced_demo = ledger[ledger["is_demo"].astype(bool)]["load_id"].tolist() if not real.empty else []
    used = real if not real.empty else ledger
    read: dict[str, tuple[dict, OutreachFile]] = {}
    for _, row in used.iterrows():
        landed = read_manifest(settings.landing, "outreach", row["load_id"])
        try:
            outreach = read_outreach_places(landed.path, communes, aliases)
        except InputError as error:
            with connect(settings.work_db) as con:
                set_load_status(con, [landed.load_id], "failed", reason=error.line())
            raise dg.Failure(description=error.line(), metadata={"landing_file": str(landed.path)}) from None
        meta = {
            "load_id": landed.load_id,
            "file_name": landed.original_name,
            "file_shape": outreach.shape,
            "as_of": pd.Timestamp(_as_of(landed, row)),
            "is_demo": bool(row["is_demo"]),
        }
        read[landed.load_id] = (meta, outreach)
        context.log.info(
            f"{landed.original_name}: {len(outreach.places)} places, {outreach.rejected_rows} rejected ({outreach.shape})"
        )
    places, sessions = _tables(read)
    with connect(settings.work_db) as con:
        replace_table(con, "raw", "outreach_places", places)
        replace_table(con, "raw", "outreach_sessions", sessions)
        quarantined = {load_id: quarantine(con, load_id, "outreach", o.rejects) for load_id, (_, o) in read.items()}
        for load_id in used[used["status"] == "landed"]["load_id"]:
            set_load_status(
                con,
                [load_id],
                "loaded",
                rows_loaded=len(read[load_id][1].places),
                rows_quarantined=quarantined[load_id],
            )
        set_load_status(con, replaced_demo, "superseded", reason=DEMO_REPLACED)
    return dg.MaterializeResult(
        metadata={
            "rows": len(places),
            "sessions": len(sessions),
            "files": len(read),
            "quarantined_rows": sum(quarantined.values()),
            "positions_replaced": int(places["position_replaced"].sum()),
            "hours_per_week_avg": float(places["hours_per_week_avg"].sum()),
            "demo": bool(len(read)) and all(bool(meta["is_demo"]) for meta, _ in read.values()),
            "landing_files": dg.MetadataValue.json(
                [{"load_id": m["load_id"], "file": m["file_name"], "shape": m["file_shape"]} for m, _ in read.values()]
            ),
            "preview": dg.MetadataValue.md(
                places[["place_name", "commune_code", "weeks", "hours_per_week_avg", "position_replaced"]]
                .head(10)
                .to_markdown(index=False)
            ),
        }
    )


def _tables(read: dict[str, tuple[dict, OutreachFile]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two raw tables: each file's places and sessions with the columns of its load."""
    place_frames = [outreach.places.assign(**meta) for meta, outreach in read.values()]
    session_frames = [outreach.sessions.assign(**meta) for meta, outreach in read.values()]
    places = pd.concat([empty_places(), *place_frames], ignore_index=True)
    sessions = pd.concat([empty_sessions(), *session_frames], ignore_index=True)
    load_columns = list(LOAD_TYPES)
    places = places.reindex(columns=[*load_columns, *PLACE_COLUMNS]).astype(LOAD_TYPES)
    sessions = sessions.reindex(columns=["load_id", *SESSION_COLUMNS, "is_demo"])
    return places, sessions.astype({"load_id": "string", "is_demo": "bool"})
