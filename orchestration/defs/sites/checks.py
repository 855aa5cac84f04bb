"""Blocking GX gate on the newest release of the site listing."""

import math

import dagster as dg

from expectations.suites import MIN_KEPT_SHARE
from ingestion.store import connect, set_load_status
from orchestration.defs.gx import gate
from orchestration.defs.sites.assets import RAW_SITE_LISTING
from orchestration.resources import WarehouseResource

GX_RAW_SITE_LISTING = "gx_raw_site_listing"


@dg.asset_check(asset=RAW_SITE_LISTING, name=GX_RAW_SITE_LISTING, blocking=True)
def gx_raw_site_listing(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """GX suite `raw_site_listing` on each release loaded in this run (or the newest): ids unique
    within the release, positions in France, departments consistent with communes, and a
    volume check (> 20% fewer sites than the previous release fails unless `--allow-drop`).
    Blocking: a failure stops dbt and publish, and marks the new listing loads failed."""
    settings = warehouse.settings()
    with connect(settings.work_db) as con:
        releases = con.execute(
            """select r.as_of, r.load_id, count(*) as sites, any_value(coalesce(l.status, 'demo')) as status,
                      coalesce(any_value(l.allow_drop), false) as allow_drop
               from raw.site_listing r left join meta.loads l using (load_id)
               group by all order by r.as_of"""
        ).df()
        pending = releases[releases["status"] == "loaded"]
        targets = pending if not pending.empty else releases.tail(1)
        results = []
        for _, release in targets.iterrows():
            # The previous real release by date (every release here is real once one is: the
            # demo listing is used only alone), whether or not it was published.
            earlier = releases[(releases["as_of"] < release["as_of"]) & (releases["status"] != "demo")]
            previous = int(earlier["sites"].iloc[-1]) if not earlier.empty else None
            frame = con.execute("select * from raw.site_listing where load_id = ?", [release["load_id"]]).df()
            result = gate(
                "raw_site_listing", frame, settings, previous_count=previous, allow_drop=bool(release["allow_drop"])
            )
            if previous and not release["allow_drop"] and release["sites"] < math.ceil(previous * MIN_KEPT_SHARE):
                drop = 1 - release["sites"] / previous
                result = dg.AssetCheckResult(
                    passed=False,
                    severity=result.severity,
                    metadata=result.metadata,
                    description=(
                        f"listing {release['as_of']:%Y-%m-%d}: {release['sites']:,} sites where the previous release "
                        f"({earlier['as_of'].iloc[-1]:%Y-%m-%d}) had {previous:,} ({drop:.0%} fewer, more than "
                        f"{1 - MIN_KEPT_SHARE:.0%}): give --allow-drop if the network really shrank; {result.description}"
                    ),
                )
            results.append((release, result))
        failed = [(release, result) for release, result in results if not result.passed]
        for release, result in failed:
            set_load_status(con, [release["load_id"]], "failed", reason=result.description)
    release, result = failed[0] if failed else results[-1]
    return dg.AssetCheckResult(
        passed=not failed,
        description=result.description,
        metadata={**result.metadata, "release_as_of": str(release["as_of"]), "releases_checked": len(results)},
    )
