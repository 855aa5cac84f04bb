"""`fsw demo`: national-scale demo exports written into the inbox, registered as demo."""

from __future__ import annotations

from orchestration.config import Settings
from orchestration.defs.demo import register_demo_files, write_demo_export_files


def ensure_demo_listing(settings: Settings, *, n_sites: int = 2845, seed: int = 0) -> None:
    """Give an empty home its raw reference and demo listing (what the exports are about)."""
    from datetime import date

    from ingestion.insee import load_reference_snapshot
    from ingestion.insee.reference import build_reference_tables
    from ingestion.sites.releases import Release, assemble_listing
    from ingestion.store import connect, replace_table
    from orchestration.defs.demo import demo_listing_path

    with connect(settings.work_db) as con:
        has_sites = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'site_listing'"
        ).fetchone()[0]
        has_reference = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'insee_communes'"
        ).fetchone()[0]
        if not has_reference:
            tables = build_reference_tables(load_reference_snapshot())
            replace_table(con, "raw", "insee_communes", tables.communes)
            replace_table(con, "raw", "insee_commune_aliases", tables.aliases)
    if has_sites:
        return
    path = demo_listing_path(settings, n_sites=n_sites, seed=seed)
    with connect(settings.work_db) as con:
        communes = con.execute("select commune_code, department_code, latitude, longitude from raw.insee_communes").df()
        aliases = dict(con.execute("select alias_code, commune_code from raw.insee_commune_aliases").fetchall())
    listing = assemble_listing([Release("demo", date.today(), path, "demo", is_demo=True)], communes, aliases).rows
    listing["is_demo"] = True
    with connect(settings.work_db) as con:
        replace_table(con, "raw", "site_listing", listing)


def write_demo_inbox(settings: Settings, *, months: int, n_sites: int = 2845, seed: int = 0) -> dict:
    """Write ``months`` months of activity and satisfaction exports into the inbox."""
    ensure_demo_listing(settings, n_sites=n_sites, seed=seed)
    staging = settings.inbox / ".demo.partial"
    counts = write_demo_export_files(settings, staging, months=months, seed=seed)
    generated = sorted(p for source in ("activity", "satisfaction") for p in (staging / source).glob("*"))
    # Registered before they reach the inbox, so a sensor can never land one as real data.
    register_demo_files(settings, generated)
    for path in generated:
        target = settings.inbox / path.parent.name
        target.mkdir(parents=True, exist_ok=True)
        path.replace(target / path.name)
    import shutil

    shutil.rmtree(staging, ignore_errors=True)
    return counts
