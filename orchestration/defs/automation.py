"""Sensors, schedules and freshness checks: what runs without anyone pressing a button.

All times are Europe/Paris. Everything here is visible and can be switched on or off in the
Dagster UI (Automation page). The inbox sensors and build_after_load start running (a file
dropped in the inbox is loaded and published while `dagster dev` runs); the schedules start
stopped, as Dagster's default: they rebuild on a calendar, which a team turns on deliberately.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from ingestion.store import connect
from orchestration.config import load_settings
from orchestration.defs.exports.assets import files_key
from orchestration.defs.exports.sources import EXPORT_SOURCES
from orchestration.defs.sites.assets import RAW_SITE_LISTING
from orchestration.resources import WarehouseResource
from orchestration.selection import FULL_REFRESH_TAG, SOURCE_TAG, build_plan_after, load_selection

PARIS = "Europe/Paris"
STALE_AFTER = timedelta(days=45)

FRESHNESS_TARGETS = {
    "activity": files_key(EXPORT_SOURCES[0]),
    "satisfaction": files_key(EXPORT_SOURCES[1]),
    "sites": RAW_SITE_LISTING,
}


def build_freshness_check(source: str, key: dg.AssetKey) -> dg.AssetChecksDefinition:
    """A warning when the last real file of ``source`` is more than 45 days old (passes on demo data)."""

    @dg.asset_check(
        asset=key,
        name=f"fresh_{source}_within_45_days",
        blocking=False,
        description=f"Warns when the last real {source} file was landed more than 45 days ago "
        "(passes while the source holds demo data only).",
    )
    def freshness(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings()
        with connect(settings.work_db) as con:
            last = con.execute(
                "select max(landed_at) from meta.loads where source = ? and not is_demo and status <> 'failed'",
                [source],
            ).fetchone()[0]
        now = datetime.now(UTC)
        age = (now - last) if last else None
        if age is None:
            # Demo data is not stale data: there is nothing to be fresh about until a real file
            # comes (`fsw status` says the source is demo).
            description = f"no real {source} file loaded yet (demo data only): freshness applies from the first"
        else:
            description = f"last real {source} file landed {age.days} days ago"
        return dg.AssetCheckResult(
            passed=age is None or age <= STALE_AFTER,
            severity=dg.AssetCheckSeverity.WARN,
            description=description,
            metadata={"last_landed_at": str(last) if last else "never", "threshold_days": STALE_AFTER.days},
        )

    return freshness


FRESHNESS_CHECKS = [build_freshness_check(source, key) for source, key in FRESHNESS_TARGETS.items()]


def build_inbox_sensor(source: str, job_name: str) -> dg.SensorDefinition:
    """Land files dropped in ``FSW_HOME/inbox/<source>/`` and request the load job."""

    @dg.sensor(
        name=f"inbox_{source}",
        job_name=job_name,
        minimum_interval_seconds=load_settings().sensor_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Moves files dropped in FSW_HOME/inbox/{source}/ into landing/ (unchanged, with a "
        "manifest) and starts the load; unsafe or unrecognised files go to .refused/.",
    )
    def inbox_sensor(context: dg.SensorEvaluationContext):
        from orchestration.home_lock import home_if_free
        from orchestration.inbox import collect_inbox

        settings = load_settings().ensure()
        with home_if_free(settings.home) as free:
            if not free:
                return dg.SkipReason(f"an fsw command or run is writing {settings.home}; inbox/{source} waits")
            landed, refused = collect_inbox(settings, source)
        for line in refused:
            context.log.warning(f"refused: {line}")
        if not landed:
            return dg.SkipReason(f"nothing new in inbox/{source}")
        return dg.RunRequest(
            run_key=f"{source}-{landed[0].load_id}",
            asset_selection=load_selection(context.repository_def.asset_graph, settings, source),
            tags={"fsw/trigger": f"inbox_{source}", "fsw/files": str(len(landed)), SOURCE_TAG: source},
        )

    return inbox_sensor


def build_after_load_sensor(load_job, build_job) -> dg.SensorDefinition:
    """After a successful load run, build the months its files cover (one single run), then publish."""

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[load_job],
        request_job=build_job,
        name="build_after_load",
        minimum_interval_seconds=load_settings().sensor_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="When a load run succeeds, materialises the monthly partitions its files cover "
        "(a single-run backfill), builds dbt and publishes.",
    )
    def build_after_load(context: dg.RunStatusSensorContext):

        if context.dagster_run.tags.get("fsw/trigger") == "cli":
            # `fsw run`/`fsw ingest` builds and publishes right after its own load run.
            return dg.SkipReason(f"run {context.dagster_run.run_id} came from the fsw CLI, which builds itself")
        settings = load_settings().ensure()
        plan = build_plan_after(context.repository_def.asset_graph, settings, context.dagster_run)
        tags = {"fsw/trigger": "build_after_load", "fsw/load_run": context.dagster_run.run_id, **plan.tags}
        if SOURCE_TAG in context.dagster_run.tags:
            tags[SOURCE_TAG] = context.dagster_run.tags[SOURCE_TAG]
        return dg.RunRequest(run_key=context.dagster_run.run_id, asset_selection=plan.assets, tags=tags)

    return build_after_load


def build_schedules(load_job, outputs_job, freshness_job) -> list[dg.ScheduleDefinition]:
    """The monthly refresh (5th, 06:00), the monthly extracts after it (07:30), daily freshness."""
    return [
        dg.ScheduleDefinition(
            name="monthly_refresh",
            job=load_job,
            cron_schedule="0 6 5 * *",
            execution_timezone=PARIS,
            tags={FULL_REFRESH_TAG: "true", "fsw/trigger": "monthly_refresh"},
            description="On the 5th at 06:00 (Paris): reload every source; build_after_load then rebuilds "
            "every month and publishes.",
        ),
        dg.ScheduleDefinition(
            name="monthly_extracts",
            job=outputs_job,
            cron_schedule="30 7 5 * *",
            execution_timezone=PARIS,
            description="On the 5th at 07:30 (Paris), after the refresh: national and regional extracts from "
            "the published serving DB, dbt docs.",
        ),
        dg.ScheduleDefinition(
            name="daily_freshness",
            job=freshness_job,
            cron_schedule="0 7 * * *",
            execution_timezone=PARIS,
            description="Every day at 07:00 (Paris): warn about sources without new data for 45 days.",
        ),
    ]
