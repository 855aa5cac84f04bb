"""What a load materialises: the one place that decides, for the CLI and the sensors alike.

A load is two Dagster runs. The first (job ``load_sources``) reloads the raw sources a load
touches: ``load_selection``. The months its files cover are known only once they are parsed,
so the second (job ``build_and_publish``) is decided after it: ``build_plan`` gives its assets
and its monthly partition range. ``fsw ingest``/``fsw run`` call both in turn; the inbox
sensors call ``load_selection`` and the ``build_after_load`` sensor calls ``build_plan`` with
what the load run carried (its asset selection and tags), so a file dropped in the inbox and
the same file given to ``fsw ingest`` build the same things.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

from ingestion.store import connect
from orchestration.config import Settings
from orchestration.defs.catalog import FILES_ASSETS, OUTPUTS, RAW_SOURCES, REBUILT_SOURCES
from orchestration.defs.exports.assets import MONTHLY_ASSETS
from orchestration.defs.exports.partitions import RANGE_END, RANGE_START, month_keys
from orchestration.defs.exports.sources import EXPORT_SOURCES
from orchestration.defs.exports.tables import months_pending, months_with_data
from orchestration.defs.plan.assets import SITE_PROPOSALS
from orchestration.defs.publish.assets import SERVING_DB
from orchestration.defs.publish.postgres import POSTGRES_SERVING
from orchestration.defs.sites.assets import raw_site_listing

SOURCE_TAG = "fsw/source"  # the source an ingest loads (absent: every source, as `fsw run`)
FULL_REFRESH_TAG = "fsw/full_refresh"  # "true": rebuild every month that has data
NO_PUBLISH_TAG = "fsw/no_publish"  # "true": build and check, do not publish
EXPORT_ONLY_SOURCES = ("activity", "satisfaction", "exports")  # exports: `fsw ingest exports`, both


@dataclass(frozen=True)
class BuildPlan:
    """The second run of a load: the assets to materialise and the months to rebuild."""

    assets: list[dg.AssetKey]
    months: list[str] = field(default_factory=list)

    @property
    def tags(self) -> dict[str, str]:
        """The partition-range tags of the run (a single-run backfill of ``months``)."""
        return {RANGE_START: self.months[0], RANGE_END: self.months[-1]} if self.months else {}


def load_selection(asset_graph, settings: Settings, source: str | None) -> list[dg.AssetKey] | None:
    """The raw assets a load of ``source`` reloads (None: all of them, for `fsw run`).

    The reference data, listing and barometer are rebuilt in full from everything landed, so a
    load of another source skips them unless they have a file waiting or were never built;
    what depends on a reloaded one (the listing on the INSEE reference) is reloaded too. The
    export-file assets always run: they parse only newly landed files.
    """
    if source is None:
        return None
    wanted = [key for asset in FILES_ASSETS for key in asset.keys]
    with connect(settings.work_db) as con:
        built = {
            name
            for (name,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        }
        waiting = {
            name for (name,) in con.execute("select distinct source from meta.loads where status = 'landed'").fetchall()
        }
    for name, (asset, table) in REBUILT_SOURCES.items():
        if name == source or name in waiting or table not in built:
            wanted.extend(asset.keys)
    reloaded = dg.AssetSelection.assets(*wanted).downstream().resolve(asset_graph)
    raw = {key for asset in RAW_SOURCES for key in asset.keys}
    return sorted(key for key in reloaded if key in raw)


def build_plan(
    asset_graph,
    settings: Settings,
    *,
    loaded: list[dg.AssetKey] | None,
    source: str | None = None,
    full: bool = False,
    publish: bool = True,
) -> BuildPlan:
    """The assets and months of the build run that follows a load run of ``loaded`` assets.

    A reloaded listing may move the site versions of any month, so the facts of every month
    are rebuilt (none is left pointing at an old version); ``full`` does the same. A load of
    activity or satisfaction alone rebuilds only what depends on the exports, once everything
    else was built (a first publish) and nothing else was reloaded.
    """
    loaded_keys = None if loaded is None else set(loaded)
    relisted = loaded_keys is None or bool(loaded_keys & set(raw_site_listing.keys))
    months = months_to_build(settings, full=full or relisted)
    rebuilt = loaded_keys is None or any(
        key in loaded_keys for asset, _ in REBUILT_SOURCES.values() for key in asset.keys
    )
    exports_only = source in EXPORT_ONLY_SOURCES and not rebuilt and settings.serving_db.exists()
    excluded = {key for asset in [*RAW_SOURCES, *OUTPUTS] for key in asset.keys} | {SITE_PROPOSALS}
    if not months:
        excluded |= {key for asset in MONTHLY_ASSETS for key in asset.keys}
    if not publish:
        excluded |= {SERVING_DB, POSTGRES_SERVING}
    keys = [
        key
        for key in asset_graph.get_all_asset_keys()
        if key not in excluded and asset_graph.get(key).is_materializable
    ]
    if exports_only:
        # Also with no month to rebuild (the same file sent again after a crash): the
        # incremental facts catch up on months refreshed since their last build.
        monthly = [key for asset in MONTHLY_ASSETS for key in asset.keys]
        wanted = dg.AssetSelection.assets(*monthly).downstream().resolve(asset_graph)
        keys = [key for key in keys if key in wanted or key in (SERVING_DB, POSTGRES_SERVING)]
    return BuildPlan(sorted(keys), months)


def build_plan_after(asset_graph, settings: Settings, load_run: dg.DagsterRun) -> BuildPlan:
    """``build_plan`` for a finished load run, from what the run carried (selection and tags)."""
    tags = load_run.tags
    loaded = sorted(load_run.asset_selection) if load_run.asset_selection else None
    return build_plan(
        asset_graph,
        settings,
        loaded=loaded,
        source=tags.get(SOURCE_TAG),
        full=tags.get(FULL_REFRESH_TAG) == "true",
        publish=tags.get(NO_PUBLISH_TAG) != "true",
    )


def months_to_build(settings: Settings, *, full: bool) -> list[str]:
    """Partition keys to rebuild: months of newly parsed files, or every month with data.

    When a real file arrives while demo rows are in place, every month is rebuilt so the demo
    rows disappear entirely.
    """
    wanted: set[str] = set()
    with connect(settings.work_db) as con:
        for source in EXPORT_SOURCES:
            pending = months_pending(con, source.name)
            real_pending = con.execute(
                "select count(*) > 0 from meta.loads where source = ? and status = 'parsed' and not is_demo",
                [source.name],
            ).fetchone()[0]
            demo_in_place = con.execute(
                f"select count(*) > 0 from raw.{source.name} r join meta.loads l using (load_id) where l.is_demo"
            ).fetchone()[0]
            if full or (real_pending and demo_in_place):
                wanted |= set(months_with_data(con, source.name))
            wanted |= set(pending)
    if not wanted:
        return []
    return month_keys(min(wanted), max(wanted))
