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
WRITTEN_FOR = "written_for.json"  # in the demo exports folder: the fingerprint of the sites they name


def current_sites_fingerprint(sites) -> str:
    """sha256 of the (site_id, department, labelling date) rows demo exports are drawn from."""
    import hashlib

    lines = sorted(f"{r.site_id}|{r.department_code}|{r.labelled_on}" for r in sites.itertuples())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def ensure_demo_exports(settings: Settings) -> int:
    """Land demo exports that follow the current listing, for sources without a real load.

    The rule, for any sequence of listing loads: while activity or satisfaction never had a
    real load, its demo exports name exactly the sites of the newest listing release in place
    (each from its labelling month, ``FSW_DEMO_MONTHS`` months ending last month; 0 for none).
    Whenever that set of sites changes (a first real listing, a newer release, a release that
    closes or re-identifies sites), the demo loads of those sources are marked ``superseded``
    in the ledger (their copies stay in landing/, their parsed rows are dropped) and exports
    for the new current sites are generated under ``FSW_HOME/demo/exports/`` and landed. So
    no demo fact ever names a site the listing does not have. Returns the number of files landed.
    """
    import json
    import shutil

    from ingestion.landing import land_file
    from ingestion.store import connect, record_loads

    if settings.demo_months <= 0:
        return 0
    target = settings.demo / "exports"
    with connect(settings.work_db) as con:
        demo_only = dict(
            con.execute(
                """select source, bool_and(is_demo) from meta.loads
               where source in ('activity', 'satisfaction') and status <> ? group by source""",
                [SUPERSEDED],
            ).fetchall()
        )
    sources = [source for source in ("activity", "satisfaction") if demo_only.get(source, True)]
    if not sources:
        return 0
    fingerprint = current_sites_fingerprint(current_sites(settings))
    written_for = target / WRITTEN_FOR
    marker = json.loads(written_for.read_text(encoding="utf-8")) if written_for.exists() else {}
    in_place = [source for source in sources if source in demo_only]
    if marker.get("sites") == fingerprint and len(in_place) == len(sources):
        return 0
    if marker.get("sites") != fingerprint:
        if in_place:
            _supersede_demo_loads(settings, in_place)
        if target.exists():
            shutil.rmtree(target)  # generated files; the landed ones keep their copies in landing/
    else:
        in_place = []  # the files in place are right: land only the sources that have none
    if not target.exists():
        partial = settings.demo / ".exports.partial"
        if partial.exists():
            shutil.rmtree(partial)
        write_demo_export_files(settings, partial, months=settings.demo_months)
        (partial / WRITTEN_FOR).write_text(json.dumps({"sites": fingerprint}), encoding="utf-8")
        partial.rename(target)
    wanted = [source for source in sources if source not in demo_only or source in in_place]
    files = sorted(p for source in wanted for p in (target / source).glob("*") if p.is_file())
    # One ledger statement for all of them (thousands of files): all are recorded or none.
    records = []
    for path in files:
        landed = land_file(settings.landing, path.parent.name, path)
        records.append({"landed": landed, "status": "landed", "kind": landed.source, "is_demo": True})
    with connect(settings.work_db) as con:
        record_loads(con, records)
    return len(files)


def _supersede_demo_loads(settings: Settings, sources: list[str]) -> None:
    """Mark the demo loads of ``sources`` superseded and drop their parsed rows."""
    from ingestion.store import connect

    reason = "demo export written for sites no longer in the listing, replaced by demo exports for the current sites"
    with connect(settings.work_db) as con:
        con.execute("begin")
        for source in sources:
            table_exists = con.execute(
                "select count(*) > 0 from duckdb_tables() where schema_name = 'raw' and table_name = ?",
                [f"{source}_rows"],
            ).fetchone()[0]
            if table_exists:
                # identifiers from code (the two export sources), values bound
                con.execute(
                    f"delete from raw.{source}_rows where load_id in "
                    "(select load_id from meta.loads where source = ? and is_demo and status <> ?)",
                    [source, SUPERSEDED],
                )
        con.execute(
            "update meta.loads set status = ?, reason = ?, updated_at = now() "
            "where source in (select unnest(?::varchar[])) and is_demo and status <> ?",
            [SUPERSEDED, reason, sources, SUPERSEDED],
        )
        con.execute("commit")
