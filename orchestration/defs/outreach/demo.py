"""Demo outreach stops for the mobile sites of the listing in place, while no real outreach file is loaded."""

import hashlib
import json

import pandas as pd

from ingestion.demo.outreach import write_demo_outreach
from ingestion.landing import land_file
from ingestion.store import connect, record_loads, set_load_status
from orchestration.config import Settings
from orchestration.defs.demo import SUPERSEDED, WRITTEN_FOR, read_demo_marker, register_demo_files
from orchestration.defs.ledger import USABLE

DEMO_FILE = "demo_outreach_stops.csv"
REWRITTEN = "demo stops written for mobile sites no longer in the listing, replaced by stops for the current ones"


def mobile_sites(settings: Settings) -> pd.DataFrame:
    """site_id, latitude, longitude, labelled_on of the bus and itinerant sites of the newest release."""
    with connect(settings.work_db) as con:
        has_listing = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'site_listing'"
        ).fetchone()[0]
        if not has_listing:
            return pd.DataFrame(columns=["site_id", "latitude", "longitude", "labelled_on"])
        return con.execute(
            """select site_id, latitude, longitude, coalesce(labelled_on, as_of) as labelled_on
               from raw.site_listing
               where is_mobile and as_of = (select max(as_of) from raw.site_listing)
               order by site_id"""
        ).df()


def _fingerprint(sites: pd.DataFrame) -> str:
    lines = sorted(
        f"{r.site_id}|{r.latitude}|{r.longitude}|{pd.Timestamp(r.labelled_on).date()}" for r in sites.itertuples()
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def ensure_demo_outreach(settings: Settings) -> int:
    """Land demo stops for the listing's mobile sites while outreach has no real load.

    The demo rule of the other sources: the stops follow the listing in place (a newer
    release, a first real listing: the old demo load is marked ``superseded``, its copy stays
    in landing/, and stops for the new mobile sites are landed), and the first real outreach
    load replaces them (raw/outreach). None with ``FSW_DEMO_MONTHS=0``. Returns the number of
    stops landed (0 when the ones in place are right).
    """
    if settings.demo_months <= 0:
        return 0
    with connect(settings.work_db) as con:
        in_place = con.execute(
            "select load_id, is_demo from meta.loads where source = 'outreach' and list_contains(?, status)",
            [list(USABLE)],
        ).fetchall()
    if any(not is_demo for _, is_demo in in_place):
        return 0
    sites = mobile_sites(settings)
    if sites.empty:
        return 0
    fingerprint = _fingerprint(sites)
    folder = settings.demo / "outreach"
    if in_place and read_demo_marker(settings, "outreach").get("sites") == fingerprint:
        return 0
    with connect(settings.work_db) as con:
        communes = con.execute(
            "select commune_code, commune_name, latitude, longitude, population from raw.insee_communes"
        ).df()
    path = folder / DEMO_FILE
    stops = write_demo_outreach(sites, communes, path)
    register_demo_files(settings, [path])
    landed = land_file(settings.landing, "outreach", path, remove_source=False)
    with connect(settings.work_db) as con:
        con.execute("begin")
        set_load_status(con, [load_id for load_id, _ in in_place], SUPERSEDED, reason=REWRITTEN)
        record_loads(con, [{"landed": landed, "status": "landed", "kind": "outreach", "is_demo": True}])
        con.execute("commit")
    (folder / WRITTEN_FOR).write_text(json.dumps({"sites": fingerprint, "stops": stops}), encoding="utf-8")
    return stops
