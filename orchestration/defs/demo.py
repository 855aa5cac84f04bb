"""Demo data: a national-scale listing history and exports, so a new home shows a full picture.

The demo world, while no real listing is loaded: a listing released every quarter
(``RELEASE_EVERY_MONTHS``) from the first of the current month back to the first month of the
demo exports (``FSW_DEMO_MONTHS``), a few sites opening, closing and changing hours between
releases (ingestion/demo/listing.py ``write_demo_history``); and exports for every month of
that window, each site from its labelling month until the month before the release that
dropped it. So every demo month has site versions, coverage, activity and satisfaction.
"""

import hashlib
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pandas as pd

from ingestion.demo import write_demo_exports
from ingestion.demo.listing import write_demo_history
from ingestion.landing import land_file, sha256_of
from ingestion.sites.releases import Release
from ingestion.store import connect, record_loads
from orchestration.config import Settings

RELEASE_EVERY_MONTHS = 3
HISTORY_NAME = "releases.json"  # in FSW_HOME/demo/sites: the demo releases, their dates and files


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after (or before, if negative) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def demo_release_dates(today: date, months: int) -> list[date]:
    """As-of dates of the demo listing: the first of ``today``'s month, then every quarter back
    until the first of ``months`` export months (ending last month) is described."""
    dates = [add_months(today, 0)]
    while dates[-1] > add_months(today, -months):
        dates.append(add_months(dates[-1], -RELEASE_EVERY_MONTHS))
    return sorted(dates)


def demo_releases(
    settings: Settings, *, months: int | None = None, n_sites: int = 2845, seed: int = 0
) -> list[Release]:
    """The demo listing releases of this home, written on first use from `raw.insee_communes`.

    The history written before is kept while it describes the first of ``months`` (default
    ``FSW_DEMO_MONTHS``) export months ending last month; a longer window, another size or
    seed writes a new one (the demo exports then follow it: their fingerprint changes).
    """
    months = settings.demo_months if months is None else months
    folder = settings.demo / "sites"
    wanted = {"n_sites": n_sites, "seed": seed}
    today = date.today()
    history = folder / HISTORY_NAME
    if history.exists():
        known = json.loads(history.read_text(encoding="utf-8"))
        releases = _releases(folder, known["releases"])
        if (
            all(known.get(key) == value for key, value in wanted.items())
            and releases[0].as_of <= add_months(today, -months)
            and all(r.path.exists() for r in releases)
        ):
            return releases
    with connect(settings.work_db) as con:
        communes = con.execute(
            "select commune_code, commune_name, department_code, coalesce(population, 0) as population, "
            "latitude, longitude from raw.insee_communes where latitude is not null and coalesce(population, 1) > 0"
        ).df()
    partial = settings.demo / ".sites.partial"
    shutil.rmtree(partial, ignore_errors=True)
    written = write_demo_history(communes, partial, demo_release_dates(today, months), n_sites=n_sites, seed=seed)
    entries = [{"as_of": r.as_of.isoformat(), "file": r.path.name, "sha256": sha256_of(r.path)} for r in written]
    (partial / HISTORY_NAME).write_text(json.dumps({**wanted, "releases": entries}, indent=1), encoding="utf-8")
    # the manifest moves in with its files: a crash in between leaves no manifest, so a rewrite
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return _releases(folder, entries)


def _releases(folder: Path, entries: list[dict]) -> list[Release]:
    return [
        Release(f"demo-{e['as_of']}", date.fromisoformat(e["as_of"]), folder / e["file"], e["sha256"], is_demo=True)
        for e in entries
    ]


REGISTRY_NAME = "registry.json"


def demo_registry(settings: Settings) -> set[str]:
    """sha256 of every demo file this home generated (so landing can mark them demo)."""
    path = settings.demo / REGISTRY_NAME
    if not path.exists():
        return set()
    return set(json.loads(path.read_text(encoding="utf-8")))


def register_demo_files(settings: Settings, paths: list[Path]) -> None:
    """Remember generated demo files by content hash (names are not trusted)."""
    known = demo_registry(settings) | {sha256_of(p) for p in paths}
    settings.demo.mkdir(parents=True, exist_ok=True)
    partial = settings.demo / f".{REGISTRY_NAME}.partial"
    partial.write_text(json.dumps(sorted(known)), encoding="utf-8")
    os.replace(partial, settings.demo / REGISTRY_NAME)


def current_sites(settings: Settings) -> pd.DataFrame:
    """site_id, department_code, labelled_on of the sites in the newest listing release."""
    with connect(settings.work_db) as con:
        return con.execute(
            """select site_id, department_code, coalesce(labelled_on, as_of) as labelled_on
               from raw.site_listing where as_of = (select max(as_of) from raw.site_listing)"""
        ).df()


def listed_sites(settings: Settings) -> pd.DataFrame:
    """Every site of the listing releases in place and when it may send data.

    site_id; department_code (of its newest release); labelled_on (its earliest labelling
    date, or the first release naming it); closed_on (the as-of of the first release after
    the last one naming it, null while it is in the newest). The same windows as the export
    loads' site check (orchestration/defs/exports/tables.py, SITE_WINDOWS_SQL).
    """
    with connect(settings.work_db) as con:
        return con.execute(
            """with per_site as (
                   select site_id, arg_max(department_code, as_of) as department_code,
                          min(coalesce(labelled_on, as_of)) as labelled_on, max(as_of) as last_seen
                   from raw.site_listing group by site_id
               )
               select site_id, department_code, labelled_on,
                      (select min(as_of) from raw.site_listing r where r.as_of > per_site.last_seen) as closed_on
               from per_site order by site_id"""
        ).df()


def write_demo_export_files(settings: Settings, target: Path, *, months: int, seed: int = 0) -> dict:
    """Write ``months`` months of demo exports (ending last month) under ``target``, for the
    sites of ``listed_sites`` (a site closed by a release sends nothing from that month)."""
    sites = listed_sites(settings)
    for column in ("labelled_on", "closed_on"):
        sites[column] = pd.to_datetime(sites[column]).dt.date
    return write_demo_exports(sites, target, months=months, end_month=add_months(date.today(), -1), seed=seed)


SUPERSEDED = "superseded"  # ledger status of demo exports written for a listing no longer in place
WRITTEN_FOR = "written_for.json"  # in the demo exports folder: the fingerprint of the sites they name


def current_sites_fingerprint(sites: pd.DataFrame) -> str:
    """sha256 of the (site_id, department, labelling date[, closing date]) rows demo exports are
    drawn from (``listed_sites``; a site still open has no closing date)."""
    lines = []
    for r in sites.itertuples():
        closed_on = getattr(r, "closed_on", None)
        closing = "" if closed_on is None or pd.isna(closed_on) else f"|{pd.Timestamp(closed_on).date()}"
        lines.append(f"{r.site_id}|{r.department_code}|{pd.Timestamp(r.labelled_on).date()}{closing}")
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def ensure_demo_exports(settings: Settings) -> int:
    """Land demo exports that follow the listing in place, for sources without a real load.

    The rule, for any sequence of listing loads: while activity or satisfaction never had a
    real load, its demo exports name exactly the sites of the listing releases in place, each
    in the months it was open (from its labelling month to the month before the release that
    dropped it; ``FSW_DEMO_MONTHS`` months ending last month; 0 for none). Whenever those
    sites or windows change (a first real listing, a newer release, a release that closes or
    re-identifies sites), the demo loads of those sources are marked ``superseded`` in the
    ledger (their copies stay in landing/, their parsed rows are dropped) and exports for the
    new sites are generated under ``FSW_HOME/demo/exports/`` and landed. So no demo fact ever
    names a site the listing does not have at its date. Returns the number of files landed.
    """
    marker = read_demo_marker(settings)
    window = demo_window(settings, marker)
    chosen = marker.get("written_by") == FSW_DEMO
    months = window["months"] if chosen else max(window["months"], marker.get("months", 0))
    if months <= 0:
        return 0
    target = settings.demo / "exports"
    demo_only = _demo_only_sources(settings)
    sources = [source for source in ("activity", "satisfaction") if demo_only.get(source, True)]
    if not sources:
        return 0
    fingerprint = current_sites_fingerprint(listed_sites(settings))
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
        write_demo_export_files(settings, partial, months=months, seed=window["seed"])
        # a window chosen with `fsw demo` stays chosen: the marker keeps it for the next change
        kept = {key: marker[key] for key in ("written_by", "n_sites", "seed")} if chosen else {}
        (partial / WRITTEN_FOR).write_text(
            json.dumps({"sites": fingerprint, "months": months, **kept}), encoding="utf-8"
        )
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


def _demo_only_sources(settings: Settings) -> dict[str, bool]:
    """For activity and satisfaction with loads in place: whether all of them are demo."""
    with connect(settings.work_db) as con:
        return dict(
            con.execute(
                """select source, bool_and(is_demo) from meta.loads
                   where source in ('activity', 'satisfaction') and status <> ? group by source""",
                [SUPERSEDED],
            ).fetchall()
        )


FSW_DEMO = "fsw demo"  # ``written_by`` of a marker whose window a user chose with `fsw demo`


def demo_window(settings: Settings, marker: dict | None = None) -> dict:
    """``months``, ``n_sites`` and ``seed`` of this home's demo world: what `fsw demo` chose
    when it wrote the exports in place (kept by every later run and listing change), else
    ``FSW_DEMO_MONTHS`` months of the default national demo. ``marker``: the exports' marker,
    when the caller has read it already."""
    marker = read_demo_marker(settings) if marker is None else marker
    if marker.get("written_by") == FSW_DEMO:
        return {key: marker[key] for key in ("months", "n_sites", "seed")}
    return {"months": settings.demo_months, "n_sites": 2845, "seed": 0}


def read_demo_marker(settings: Settings, folder: str = "exports") -> dict:
    """What the demo files of ``FSW_HOME/demo/<folder>`` were written for (``sites``, the
    fingerprint of the sites they name, and what else their writer recorded), {} if none."""
    written_for = settings.demo / folder / WRITTEN_FOR
    return json.loads(written_for.read_text(encoding="utf-8")) if written_for.exists() else {}


def adopt_demo_inbox(settings: Settings, months: int, *, n_sites: int = 2845, seed: int = 0) -> None:
    """Make the demo exports `fsw demo` wrote into the inbox the ones in place: the demo loads
    written for other sites are superseded, and the generated folder holds only the marker
    (sites fingerprint, ``months``, ``n_sites``, ``seed``), so that the run's listing step keeps
    the demo listing of that window and size (``demo_window``), ``ensure_demo_exports`` neither
    regenerates nor supersedes the exports, and a later listing change regenerates ``months``
    months, not ``FSW_DEMO_MONTHS``."""
    fingerprint = current_sites_fingerprint(listed_sites(settings))
    in_place = [source for source, only_demo in _demo_only_sources(settings).items() if only_demo]
    if in_place:
        _supersede_demo_loads(settings, in_place)
    target = settings.demo / "exports"
    partial = settings.demo / ".exports.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    marker = {"sites": fingerprint, "months": months, "n_sites": n_sites, "seed": seed, "written_by": FSW_DEMO}
    (partial / WRITTEN_FOR).write_text(json.dumps(marker), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def _supersede_demo_loads(settings: Settings, sources: list[str]) -> None:
    """Mark the demo loads of ``sources`` superseded and drop their parsed rows."""
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
