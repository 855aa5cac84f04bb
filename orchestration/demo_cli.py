"""`fsw demo`: national-scale demo exports written into the inbox, registered as demo."""

from __future__ import annotations

import shutil

from ingestion.insee import load_reference_snapshot
from ingestion.insee.reference import build_reference_tables
from ingestion.sites.releases import assemble_listing
from ingestion.store import connect, replace_table
from orchestration.config import Settings
from orchestration.defs.demo import adopt_demo_inbox, demo_releases, register_demo_files, write_demo_export_files


def ensure_demo_listing(settings: Settings, *, months: int | None = None, n_sites: int = 2845, seed: int = 0) -> None:
    """Give a home without a real listing its raw reference and the demo listing history
    describing ``months`` export months (default ``FSW_DEMO_MONTHS``): what the exports are about."""
    with connect(settings.work_db) as con:
        has_reference = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'insee_communes'"
        ).fetchone()[0]
        if not has_reference:
            tables = build_reference_tables(load_reference_snapshot())
            replace_table(con, "raw", "insee_communes", tables.communes)
            replace_table(con, "raw", "insee_commune_aliases", tables.aliases)
        has_sites = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'site_listing'"
        ).fetchone()[0]
        in_place = (
            dict(con.execute("select as_of, bool_and(is_demo) from raw.site_listing group by as_of").fetchall())
            if has_sites
            else {}
        )
    if not all(in_place.values()):
        return  # a real listing is in place: the demo listing is used only alone
    releases = demo_releases(settings, months=months, n_sites=n_sites, seed=seed)
    if set(in_place) == {r.as_of for r in releases}:
        return
    with connect(settings.work_db) as con:
        communes = con.execute("select commune_code, department_code, latitude, longitude from raw.insee_communes").df()
        aliases = dict(con.execute("select alias_code, commune_code from raw.insee_commune_aliases").fetchall())
    listing = assemble_listing(releases, communes, aliases).rows
    listing["is_demo"] = True
    with connect(settings.work_db) as con:
        replace_table(con, "raw", "site_listing", listing)


def write_demo_inbox(settings: Settings, *, months: int, n_sites: int = 2845, seed: int = 0) -> dict:
    """Write ``months`` months of activity and satisfaction exports into the inbox."""
    ensure_demo_listing(settings, months=months, n_sites=n_sites, seed=seed)
    staging = settings.inbox / ".demo.partial"
    counts = write_demo_export_files(settings, staging, months=months, seed=seed)
    generated = sorted(p for source in ("activity", "satisfaction") for p in (staging / source).glob("*"))
    # Registered before they reach the inbox, so a sensor can never land one as real data.
    register_demo_files(settings, generated)
    for path in generated:
        target = settings.inbox / path.parent.name
        target.mkdir(parents=True, exist_ok=True)
        path.replace(target / path.name)
    shutil.rmtree(staging, ignore_errors=True)
    adopt_demo_inbox(settings, months, n_sites=n_sites, seed=seed)
    return counts
