"""Run the Dagster job from the CLI against the instance in ``FSW_HOME/dagster``."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from dataclasses import dataclass, field

from ingestion.errors import InputError
from orchestration.config import DBT_PROJECT_DIR, Settings, apply_environment, dbt_command, dbt_vars
from orchestration.defs.exports.partitions import RANGE_END, RANGE_START


@dataclass
class RunSummary:
    """What a CLI-triggered run did, for the final one-screen summary."""

    success: bool
    run_id: str
    steps_failed: list[str] = field(default_factory=list)
    checks_passed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the loads changed (a listing's sites opened…)
    failure: str | None = None
    published: dict | None = None


def ensure_dbt_manifest() -> None:
    """Build dbt's manifest (``dbt parse``) when missing or older than the project: definitions need it."""
    import fcntl

    target = DBT_PROJECT_DIR / "target"
    target.mkdir(exist_ok=True)
    # Several processes (tests in parallel, a CLI beside `dagster dev`) may want the manifest:
    # one parses, the others wait and find it fresh.
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _parse_if_stale(target / "manifest.json")


def _parse_if_stale(manifest) -> None:
    sources = [p for folder in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / folder).rglob("*")]
    sources += [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0)
    # The parse also leaves target/partial_parse.msgpack, which each home's first build starts
    # from (copied by dagster-dbt): it must have been parsed with the builds' vars.
    parsed_vars = manifest.parent / ".parsed_vars.json"
    fresh = manifest.exists() and manifest.stat().st_mtime >= newest
    if fresh and parsed_vars.exists() and parsed_vars.read_text(encoding="utf-8") == dbt_vars():
        return
    # dbt parse opens no database; its working directory is the target folder all the same.
    done = subprocess.run(dbt_command("parse", "--quiet"), capture_output=True, text=True, cwd=manifest.parent)
    if done.returncode != 0:
        raise InputError(f"dbt parse failed: {(done.stdout + done.stderr).strip().splitlines()[-1:]}")
    parsed_vars.write_text(dbt_vars(), encoding="utf-8")


def run_job(
    settings: Settings, *, publish: bool = True, tags: dict | None = None, full: bool = False,
    exports_only: bool = False, source: str | None = None,
) -> RunSummary:
    """Load the sources, then build the touched months, dbt and publish: two Dagster runs.

    The first run lands-side assets (reference, listing, barometer, parsing of new export files);
    the months its files cover are then known, and the second run materialises those monthly
    partitions as one single-run backfill, builds dbt and publishes. ``full`` rebuilds every
    month that has data. ``exports_only`` (an activity or satisfaction ingest) rebuilds only
    what depends on the exports, not the listing's history or coverage. ``source`` (an ingest)
    reloads that source, the export files and whatever else waits to be loaded, but not the
    reference data or listing that nothing new touched. Both runs are recorded in the instance
    (FSW_HOME/dagster).
    """
    apply_environment(settings.ensure())
    from expectations import helper

    # Before Dagster's import, the home lock and any thread: GX imports beside them.
    helper.start()
    try:
        return _run_job(settings, publish=publish, tags=tags, full=full, exports_only=exports_only, source=source)
    finally:
        helper.stop()


def _run_job(settings: Settings, *, publish: bool, tags: dict | None, full: bool, exports_only: bool,
             source: str | None) -> RunSummary:
    ensure_dbt_manifest()
    import dagster as dg

    from orchestration.definitions import BUILD_JOB, LOAD_SOURCES_JOB, REBUILT_SOURCES, defs, raw_site_listing

    # Dagster's own console handler repeats every DEBUG event; the progress logger says enough.
    logging.getLogger("dagster").setLevel(logging.WARNING)
    base_tags = tags or {"fsw/trigger": "cli"}
    _hold_home_lock(settings)
    (settings.home / "logs").mkdir(parents=True, exist_ok=True)
    (settings.home / "logs" / "last_run.log").write_text("", encoding="utf-8")
    # One instance for the whole command: opening one costs most of a second.
    with dg.DagsterInstance.get() as instance:
        _release_dead_cli_runs(instance)
        loading = _load_selection(defs, settings, source)
        first = _execute(settings, instance, defs.resolve_job_def(LOAD_SOURCES_JOB), loading, base_tags)
        if not first.success:
            return first
        # A reloaded listing may move the site versions of any month: the facts of every month
        # are rebuilt so that their site keys follow (none is left pointing at an old version).
        relisted = loading is None or any(key in loading for key in raw_site_listing.keys)
        months = months_to_build(settings, full=full or relisted)
        # Rebuilding only the exports' side needs everything else built once (a first publish)
        # and unchanged (no reference data, listing or barometer reloaded in this command).
        rebuilt = loading is None or any(key in loading for asset, _ in REBUILT_SOURCES.values() for key in asset.keys)
        exports_only = exports_only and not rebuilt and settings.serving_db.exists()
        selection = _build_selection(defs, publish=publish, with_months=bool(months), exports_only=exports_only)
        run_tags = dict(base_tags)
        if months:
            run_tags.update({RANGE_START: months[0], RANGE_END: months[-1]})
            print(f"[months] {months[0][:7]} → {months[-1][:7]} ({len(months)} partitions)", file=sys.stderr, flush=True)
        second = _execute(settings, instance, defs.resolve_job_def(BUILD_JOB), selection, run_tags)
    second.checks_passed = first.checks_passed + second.checks_passed
    second.warnings = first.warnings + second.warnings
    second.notes = first.notes + second.notes
    return second


_HOME_LOCK = None


def _hold_home_lock(settings: Settings) -> None:
    """One CLI run per home at a time: an exclusive lock held until this process exits."""
    import fcntl

    global _HOME_LOCK
    if _HOME_LOCK is not None:
        return
    handle = open(settings.home / ".fsw.lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise InputError(f"another fsw command is running on {settings.home}; try again when it ends") from None
    _HOME_LOCK = handle


def _release_dead_cli_runs(instance) -> None:
    """Mark CLI runs that a crash left 'started' as failed and free their pool slots.

    Called under the home lock, so no live CLI run can be among them; without this, a killed
    run keeps the `work_duckdb` slot and every later run waits forever.
    """
    import dagster as dg

    stale = instance.get_runs(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.NOT_STARTED],
        tags={"fsw/trigger": "cli"},
    ))
    for run in stale:
        instance.report_run_failed(run)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        print(f"[fsw] released run {run.run_id[:8]} left unfinished by a crash", file=sys.stderr, flush=True)


def months_to_build(settings: Settings, *, full: bool) -> list[str]:
    """Partition keys to rebuild: months of newly parsed files, or every month with data.

    When a real file arrives while demo rows are in place, every month is rebuilt so the demo
    rows disappear entirely.
    """
    from ingestion.store import connect
    from orchestration.defs.exports.partitions import month_keys
    from orchestration.defs.exports.sources import EXPORT_SOURCES
    from orchestration.defs.exports.tables import months_pending, months_with_data

    wanted: set[str] = set()
    with connect(settings.work_db) as con:
        for source in EXPORT_SOURCES:
            pending = months_pending(con, source.name)
            real_pending = con.execute(
                "select count(*) > 0 from meta.loads where source = ? and status = 'parsed' and not is_demo",
                [source.name]).fetchone()[0]
            demo_in_place = con.execute(
                f"select count(*) > 0 from raw.{source.name} r join meta.loads l using (load_id) where l.is_demo"
            ).fetchone()[0]
            if full or (real_pending and demo_in_place):
                wanted |= set(months_with_data(con, source.name))
            wanted |= set(pending)
    if not wanted:
        return []
    return month_keys(min(wanted), max(wanted))


def _load_selection(defs, settings: Settings, source: str | None):
    """The raw assets an ingest of ``source`` reloads (None: all of them, for `fsw run`).

    The reference data, listing and barometer are rebuilt in full from everything landed, so an
    ingest of another source skips them unless they have a file waiting or were never built;
    what depends on a reloaded one (the listing on the INSEE reference) is reloaded too. The
    export-file assets always run: they parse only newly landed files.
    """
    if source is None:
        return None
    import dagster as dg

    from ingestion.store import connect
    from orchestration.definitions import FILES_ASSETS, RAW_SOURCES, REBUILT_SOURCES

    wanted = [key for asset in FILES_ASSETS for key in asset.keys]
    with connect(settings.work_db) as con:
        built = {name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()}
        waiting = {name for (name,) in con.execute(
            "select distinct source from meta.loads where status = 'landed'").fetchall()}
    for name, (asset, table) in REBUILT_SOURCES.items():
        if name == source or name in waiting or table not in built:
            wanted.extend(asset.keys)
    graph = defs.resolve_asset_graph()
    reloaded = dg.AssetSelection.assets(*wanted).downstream().resolve(graph)
    raw = {key for asset in RAW_SOURCES for key in asset.keys}
    return sorted(key for key in reloaded if key in raw)


def _build_selection(defs, *, publish: bool, with_months: bool, exports_only: bool = False):
    from orchestration.defs.exports.assets import MONTHLY_ASSETS
    from orchestration.defs.publish.assets import SERVING_DB
    from orchestration.definitions import OUTPUTS, RAW_SOURCES

    graph = defs.resolve_asset_graph()
    excluded = {key for asset in [*RAW_SOURCES, *OUTPUTS] for key in asset.keys}
    if not with_months:
        excluded |= {key for asset in MONTHLY_ASSETS for key in asset.keys}
    if not publish:
        excluded.add(SERVING_DB)
    keys = [key for key in graph.get_all_asset_keys() if key not in excluded and graph.get(key).is_materializable]
    if exports_only:
        # Also with no month to rebuild (the same file sent again after a crash): the
        # incremental facts catch up on months refreshed since their last build.
        import dagster as dg

        monthly = [key for asset in MONTHLY_ASSETS for key in asset.keys]
        wanted = dg.AssetSelection.assets(*monthly).downstream().resolve(graph)
        keys = [key for key in keys if key in wanted or key == SERVING_DB]
    return keys


def _execute(settings: Settings, instance, job, selection, tags) -> RunSummary:
    log_path = settings.home / "logs" / "last_run.log"  # emptied by run_job
    # dbt's own log lines go to a file: stderr carries the concise progress, stdout stays clean.
    with open(log_path, "a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=selection,
            tags=tags,
            run_config={"loggers": {"progress": {}}},
        )
    return _summarise(result)


def _summarise(result) -> RunSummary:
    import dagster as dg

    summary = RunSummary(success=result.success, run_id=result.run_id)
    for event in result.all_events:
        kind = event.event_type_value
        if kind == "STEP_FAILURE":
            summary.steps_failed.append(event.step_key)
            error = event.step_failure_data.error
            message = _failure_line(error, event)
            summary.failure = summary.failure or f"{event.step_key}: {message}"
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            if evaluation.passed:
                summary.checks_passed.append(name)
            elif evaluation.severity == dg.AssetCheckSeverity.WARN:
                summary.warnings.append(f"{name}: {evaluation.description or 'warning'}")
            else:
                summary.checks_failed.append(name)
                description = evaluation.description or "dbt test failed (rows in FSW_HOME/logs/last_run.log)"
                summary.failure = summary.failure or f"check {name} failed: {description}"[:600]
        elif kind == "ASSET_MATERIALIZATION" and event.asset_key and "release_summary" in (
                event.event_specific_data.materialization.metadata):
            summary.notes.extend(event.event_specific_data.materialization.metadata["release_summary"].value)
        elif kind == "ASSET_MATERIALIZATION" and event.asset_key and event.asset_key.path == ["publish", "serving_db"]:
            metadata = event.event_specific_data.materialization.metadata
            summary.published = {
                "path": metadata["path"].value,
                "tables": metadata["tables"].value,
            }
    if not summary.success and summary.failure is None:
        summary.failure = "the run failed (see the Dagster UI for the run's logs)"
    return summary


def _failure_line(error, event) -> str:
    """The user-facing line of a step failure: a Failure's description, else the error's last line."""
    user_failure = getattr(event.step_failure_data, "user_failure_data", None)
    if user_failure is not None and user_failure.description:
        return user_failure.description
    message = (error.message if error else "") or ""
    if error is not None and error.cause is not None:
        message = error.cause.message or message
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "step failed"
