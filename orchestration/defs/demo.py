"""Demo data: a national-scale listing (and exports) so a new home shows a full picture."""

from pathlib import Path

from orchestration.config import Settings

DEMO_LISTING_NAME = "liste-fs-demo.csv"


def demo_listing_path(settings: Settings, *, n_sites: int = 2845, seed: int = 0) -> Path:
    """The demo listing of this home, written on first use from `raw.insee_communes`."""
    from ingestion.demo.listing import write_demo_listing
    from ingestion.store import connect

    path = settings.demo / "sites" / DEMO_LISTING_NAME
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(settings.work_db) as con:
        communes = con.execute(
            "select commune_code, commune_name, department_code, coalesce(population, 0) as population, "
            "latitude, longitude from raw.insee_communes where latitude is not null and population > 0"
        ).df()
    partial = path.with_suffix(".partial")
    write_demo_listing(communes, partial, n_sites=n_sites, seed=seed)
    partial.replace(path)
    return path


REGISTRY_NAME = "registry.json"


def demo_registry(settings: Settings) -> set[str]:
    """sha256 of every demo file this home generated (so landing can mark them demo)."""
    import json

    path = settings.demo / REGISTRY_NAME
    if not path.exists():
        return set()
    return set(json.loads(path.read_text(encoding="utf-8")))


def register_demo_files(settings: Settings, paths: list[Path]) -> None:
    """Remember generated demo files by content hash (names are not trusted)."""
    import json
    import os

    from ingestion.landing import sha256_of

    known = demo_registry(settings) | {sha256_of(p) for p in paths}
    settings.demo.mkdir(parents=True, exist_ok=True)
    partial = settings.demo / f".{REGISTRY_NAME}.partial"
    partial.write_text(json.dumps(sorted(known)), encoding="utf-8")
    os.replace(partial, settings.demo / REGISTRY_NAME)


def current_sites(settings: Settings):
    """site_id, department_code, labelled_on of the sites in the newest listing release."""
    from ingestion.store import connect

    with connect(settings.work_db) as con:
        return con.execute(
            """select site_id, department_code, coalesce(labelled_on, as_of) as labelled_on
               from raw.site_listing where as_of = (select max(as_of) from raw.site_listing)"""
        ).df()


def write_demo_export_files(settings: Settings, target: Path, *, months: int, seed: int = 0) -> dict:
    """Write ``months`` months of demo exports (ending last month) under ``target``."""
    from datetime import date

    from ingestion.demo import write_demo_exports

    today = date.today()
    end_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    sites = current_sites(settings)
    sites["labelled_on"] = sites["labelled_on"].dt.date if hasattr(sites["labelled_on"], "dt") else sites["labelled_on"]
    return write_demo_exports(sites, target, months=months, end_month=end_month, seed=seed)


SUPERSEDED = "superseded"  # ledger status of demo exports written for a listing no longer in place
WRITTEN_FOR = "written_for.json"  # in the demo exports folder: the listing they were written for


def ensure_demo_exports(settings: Settings) -> int:
    """Land demo exports on a home where activity and satisfaction never had a real load.

    They are generated once (``FSW_DEMO_MONTHS`` months, default 12; 0 for none) under
    ``FSW_HOME/demo/exports/`` for the sites of the listing in place, and landed as demo
    loads; a real load later replaces them. Demo exports written for the demo listing name
    its sites: once a real listing replaces it, they are marked ``superseded`` in the ledger
    (their copies stay in landing/) and exports for the real sites are written and landed
    instead, for the sources that still have no real load. Returns the number of files landed.
    """
    import json
    import shutil

    from ingestion.landing import land_file
    from ingestion.store import connect, record_loads

    if settings.demo_months <= 0:
        return 0
    target = settings.demo / "exports"
    with connect(settings.work_db) as con:
        active = dict(con.execute(
            """select source, bool_and(is_demo) from meta.loads
               where source in ('activity', 'satisfaction') and status <> ? group by source""", [SUPERSEDED]).fetchall())
        has_listing = con.execute(
            "select count(*) > 0 from duckdb_tables() where schema_name = 'raw' and table_name = 'site_listing'"
        ).fetchone()[0]
        listing_is_demo = has_listing and con.execute(
            "select coalesce(bool_or(is_demo), false) from raw.site_listing").fetchone()[0]
    written_for = target / WRITTEN_FOR
    # Folders from before the marker existed were written for whatever listing was there: redo them.
    for_demo_listing = json.loads(written_for.read_text(encoding="utf-8"))["demo_listing"] if written_for.exists() else True
    stale = has_listing and not listing_is_demo and for_demo_listing
    if not active:
        sources = ["activity", "satisfaction"]
    elif stale and any(active.values()):
        sources = [source for source, demo_only in active.items() if demo_only]
        with connect(settings.work_db) as con:
            con.execute(
                "update meta.loads set status = ?, reason = ?, updated_at = now() "
                "where source in (select unnest(?::varchar[])) and is_demo and status <> ?",
                [SUPERSEDED, "demo export written for the demo listing, replaced by demo exports for the real listing",
                 sources, SUPERSEDED])
    else:
        return 0
    if stale and target.exists():
        shutil.rmtree(target)  # generated files; the landed ones keep their copies in landing/
    if not target.exists():
        partial = settings.demo / ".exports.partial"
        if partial.exists():
            shutil.rmtree(partial)
        write_demo_export_files(settings, partial, months=settings.demo_months)
        (partial / WRITTEN_FOR).write_text(json.dumps({"demo_listing": bool(listing_is_demo)}), encoding="utf-8")
        partial.rename(target)
    files = sorted(p for source in sources for p in (target / source).glob("*") if p.is_file())
    # One ledger statement for all of them (thousands of files): all are recorded or none.
    records = []
    for path in files:
        landed = land_file(settings.landing, path.parent.name, path)
        records.append({"landed": landed, "status": "landed", "kind": landed.source, "is_demo": True})
    with connect(settings.work_db) as con:
        record_loads(con, records)
    return len(files)
