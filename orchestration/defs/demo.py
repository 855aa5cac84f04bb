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
