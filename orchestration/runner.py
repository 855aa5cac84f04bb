"""Run the Dagster job from the CLI against the instance in ``FSW_HOME/dagster``."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from dataclasses import dataclass, field

from ingestion.errors import InputError
from orchestration.config import DBT_PROJECT_DIR, Settings, apply_environment, dbt_command, dbt_vars


@dataclass
class RunSummary:
    """What a CLI-triggered run did, for the final one-screen summary."""

    success: bool
    run_id: str
    steps_failed: list[str] = field(default_factory=list)
    steps_skipped: list[str] = field(default_factory=list)
    checks_passed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the loads changed (a listing's sites opened…)
    materialized: dict[str, dict] = field(default_factory=dict)  # asset key → metadata values
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
    settings: Settings,
    *,
    publish: bool = True,
    tags: dict | None = None,
    full: bool = False,
    source: str | None = None,
) -> RunSummary:
    """Load the sources, then build the touched months, dbt and publish: two Dagster runs.

    The first run lands-side assets (reference, listing, barometer, parsing of new export files);
    the months its files cover are then known, and the second run materialises those monthly
    partitions as one single-run backfill, builds dbt and publishes. What each run selects is
    decided by ``orchestration.selection``, as for the sensors: ``full`` rebuilds every month
    that has data; ``source`` (an ingest) reloads that source, the export files and whatever
    else waits to be loaded, and an activity or satisfaction ingest rebuilds only what depends
    on the exports. Both runs are recorded in the instance (FSW_HOME/dagster).
    """
    apply_environment(settings.ensure())
    from expectations import helper

    # Before Dagster's import, the home lock and any thread: GX imports beside them.
    helper.start()
    try:
        return _run_job(settings, publish=publish, tags=tags, full=full, source=source)
    finally:
        helper.stop()


def _run_job(settings: Settings, *, publish: bool, tags: dict | None, full: bool, source: str | None) -> RunSummary:
    ensure_dbt_manifest()
    import dagster as dg

    from orchestration.definitions import BUILD_JOB, LOAD_SOURCES_JOB, defs
    from orchestration.selection import FULL_REFRESH_TAG, NO_PUBLISH_TAG, SOURCE_TAG, build_plan_after, load_selection

    # Dagster's own console handler repeats every DEBUG event; the progress logger says enough.
    logging.getLogger("dagster").setLevel(logging.WARNING)
    base_tags = dict(tags or {"fsw/trigger": "cli"})
    if source is not None:
        base_tags[SOURCE_TAG] = source
    if full:
        base_tags[FULL_REFRESH_TAG] = "true"
    if not publish:
        base_tags[NO_PUBLISH_TAG] = "true"
    _hold_home_lock(settings)
    (settings.home / "logs").mkdir(parents=True, exist_ok=True)
    (settings.home / "logs" / "last_run.log").write_text("", encoding="utf-8")
    graph = defs.resolve_asset_graph()
    # One instance for the whole command: opening one costs most of a second.
    with dg.DagsterInstance.get() as instance:
        _release_dead_cli_runs(instance)
        loading = load_selection(graph, settings, source)
        first = _execute(settings, instance, defs.resolve_job_def(LOAD_SOURCES_JOB), loading, base_tags)
        if not first.success:
            return first
        # The same decision as the build_after_load sensor's, from what the load run carried.
        plan = build_plan_after(graph, settings, instance.get_run_by_id(first.run_id))
        if plan.months:
            months = plan.months
            from orchestration.progress import elapsed

            print(
                f"{elapsed()} months {months[0][:7]} → {months[-1][:7]} ({len(months)} monthly partitions to build)",
                file=sys.stderr,
                flush=True,
            )
        second = _execute(settings, instance, defs.resolve_job_def(BUILD_JOB), plan.assets, {**base_tags, **plan.tags})
    second.checks_passed = first.checks_passed + second.checks_passed
    second.warnings = first.warnings + second.warnings
    second.notes = first.notes + second.notes
    return second


def run_asset_job(
    settings: Settings,
    job_name: str,
    *,
    run_config: dict | None = None,
    tags: dict | None = None,
    lock: bool = True,
) -> RunSummary:
    """Run one job of the definitions through the home's instance (`fsw plan`, `fsw extract`).

    ``lock``: take the home lock (a job that writes work.duckdb); extracts read only the
    published file and may run beside a load.
    """
    apply_environment(settings.ensure())
    ensure_dbt_manifest()
    import dagster as dg

    from orchestration.definitions import defs

    logging.getLogger("dagster").setLevel(logging.WARNING)
    if lock:
        _hold_home_lock(settings)
    (settings.home / "logs").mkdir(parents=True, exist_ok=True)
    with dg.DagsterInstance.get() as instance:
        if lock:
            _release_dead_cli_runs(instance)
        return _execute(
            settings,
            instance,
            defs.resolve_job_def(job_name),
            None,
            {"fsw/trigger": "cli", **(tags or {})},
            run_config=run_config,
        )


def _hold_home_lock(settings: Settings) -> None:
    """One CLI run per home at a time: an exclusive lock held until this process exits."""
    from orchestration.home_lock import hold_home

    hold_home(settings.home)


def _release_dead_cli_runs(instance) -> None:
    """Mark CLI runs that a crash left 'started' as failed and free their pool slots.

    Called under the home lock, so no live CLI run can be among them; without this, a killed
    run keeps the `work_duckdb` slot and every later run waits forever.
    """
    import dagster as dg

    stale = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.NOT_STARTED],
            tags={"fsw/trigger": "cli"},
        )
    )
    for run in stale:
        instance.report_run_failed(run)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        print(f"[fsw] released run {run.run_id[:8]} left unfinished by a crash", file=sys.stderr, flush=True)


def _execute(settings: Settings, instance, job, selection, tags, run_config: dict | None = None) -> RunSummary:
    log_path = settings.home / "logs" / "last_run.log"  # emptied by run_job
    recon = _reconstructable_job(job.name)
    run = _create_code_location_run(
        instance, job, recon, selection, tags, {"loggers": {"progress": {}}, **(run_config or {})}
    )
    from orchestration.progress import elapsed

    print(f"{elapsed()} run {job.name} {run.run_id}", file=sys.stderr, flush=True)
    from orchestration.private_api import execute_run

    # dbt's own log lines go to a file: stderr carries the concise progress, stdout stays clean.
    with open(log_path, "a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = execute_run(recon, run, instance, raise_on_error=False)
    return _summarise(result)


def _reconstructable_job(job_name: str):
    """The job as `dagster dev` loads it (module and attribute), executed in this process."""
    from orchestration.config import DEFINITIONS_MODULE, PROJECT_ROOT
    from orchestration.private_api import ReconstructableRepository

    repository = ReconstructableRepository.for_module(DEFINITIONS_MODULE, "defs", working_directory=str(PROJECT_ROOT))
    return repository.get_reconstructable_job(job_name)


def _create_code_location_run(instance, job, recon, selection, tags, run_config):
    """A run of ``job`` recorded with the origin of the project's code location.

    With that origin the UI lists the run on the job's page, in the timeline and under the
    location, as if `dagster dev` had launched it; the run itself executes in this process.
    """
    from orchestration.config import CODE_LOCATION_NAME, DEFINITIONS_MODULE, PROJECT_ROOT
    from orchestration.private_api import (
        LoadableTargetOrigin,
        ManagedGrpcPythonEnvCodeLocationOrigin,
        RemoteJobOrigin,
        RemoteRepositoryOrigin,
    )

    location = ManagedGrpcPythonEnvCodeLocationOrigin(
        LoadableTargetOrigin(
            executable_path=sys.executable, module_name=DEFINITIONS_MODULE, working_directory=str(PROJECT_ROOT)
        ),
        CODE_LOCATION_NAME,
    )
    return instance.create_run_for_job(
        job_def=job,
        run_config=run_config,
        tags=tags,
        asset_selection=set(selection) if selection else None,
        remote_job_origin=RemoteJobOrigin(RemoteRepositoryOrigin(location, "__repository__"), job.name),
        job_code_origin=recon.get_python_origin(),
    )


def _summarise(result) -> RunSummary:
    import dagster as dg

    summary = RunSummary(success=result.success, run_id=result.run_id)
    for event in result.all_events:
        kind = event.event_type_value
        if kind == "STEP_FAILURE":
            summary.steps_failed.append(event.step_key)
            summary.failure = summary.failure or _failure_line(event)
        elif kind == "STEP_SKIPPED":
            summary.steps_skipped.append(event.step_key)
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
        elif kind == "ASSET_MATERIALIZATION" and event.asset_key:
            metadata = event.event_specific_data.materialization.metadata
            summary.materialized[event.asset_key.to_user_string()] = {k: v.value for k, v in metadata.items()}
            if "release_summary" in metadata:
                summary.notes.extend(metadata["release_summary"].value)
            if event.asset_key.path == ["publish", "serving_db"]:
                summary.published = {"path": metadata["path"].value, "tables": metadata["tables"].value}
    if summary.success and PUBLISH_STEP in summary.steps_skipped:
        # Dagster skips a step whose upstream step ended without one of its outputs: the run
        # "succeeds", yet nothing was published. That is a failure to the user.
        summary.success = False
        first = next((step for step in summary.steps_skipped if step != PUBLISH_STEP), PUBLISH_STEP)
        summary.failure = summary.failure or (
            f"not published: {len(summary.steps_skipped)} step{'s' if len(summary.steps_skipped) > 1 else ''}"
            f" skipped, first {first}, because an upstream step ended without all its outputs"
            " (see the Dagster UI for the run's logs)"
        )
    if not summary.success and summary.failure is None:
        summary.failure = "the run failed (see the Dagster UI for the run's logs)"
    return summary


PUBLISH_STEP = "publish__serving_db"


def _failure_line(event) -> str:
    """The user-facing line of a step failure.

    A ``Failure`` raised for bad input already says what and where (file, row, column): it is
    the line. Anything else is unexpected: the step's name and the error's last line.
    """
    user_failure = getattr(event.step_failure_data, "user_failure_data", None)
    if user_failure is not None and user_failure.description:
        return user_failure.description
    error = event.step_failure_data.error
    message = (error.message if error else "") or ""
    if error is not None and error.cause is not None:
        message = error.cause.message or message
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return f"{event.step_key}: {lines[-1] if lines else 'step failed'}"
