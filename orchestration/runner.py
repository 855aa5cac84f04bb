"""Run the Dagster job from the CLI against the instance in ``FSW_HOME/dagster``."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from dataclasses import dataclass, field

from ingestion.errors import InputError
from orchestration.config import DBT_PROJECT_DIR, Settings, apply_environment


@dataclass
class RunSummary:
    """What a CLI-triggered run did, for the final one-screen summary."""

    success: bool
    run_id: str
    steps_failed: list[str] = field(default_factory=list)
    checks_passed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    failure: str | None = None
    published: dict | None = None


def ensure_dbt_manifest() -> None:
    """Build dbt's manifest (``dbt parse``) when missing or older than the project: definitions need it."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    sources = [p for folder in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / folder).rglob("*")]
    sources.append(DBT_PROJECT_DIR / "dbt_project.yml")
    newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    dbt = [sys.executable, "-c", "from dbt.cli.main import cli; cli()"]
    done = subprocess.run(
        [*dbt, "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise InputError(f"dbt parse failed: {(done.stdout + done.stderr).strip().splitlines()[-1:]}")


def run_job(settings: Settings, *, publish: bool = True, tags: dict | None = None) -> RunSummary:
    """Materialise every asset (or all but publish) in-process, recorded in the instance."""
    apply_environment(settings.ensure())
    ensure_dbt_manifest()
    import dagster as dg

    from orchestration.definitions import REFRESH_JOB, defs
    from orchestration.defs.publish.assets import SERVING_DB
    from orchestration.progress import progress_logger

    # Dagster's own console handler repeats every DEBUG event; the progress logger says enough.
    logging.getLogger("dagster").setLevel(logging.WARNING)
    job = defs.resolve_job_def(REFRESH_JOB)
    selection = None
    if not publish:
        selection = [key for key in defs.resolve_asset_graph().get_all_asset_keys() if key != SERVING_DB]
    log_path = settings.home / "logs" / "last_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dbt's own log lines go to a file: stderr carries the concise progress, stdout stays clean.
    with dg.DagsterInstance.get() as instance, open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=selection,
            tags=tags or {"fsw/trigger": "cli"},
            run_config={"loggers": {"progress": {}}},
        )
    return _summarise(result)


def _summarise(result) -> RunSummary:
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
            else:
                summary.checks_failed.append(name)
                description = evaluation.description or ""
                summary.failure = summary.failure or f"check {name} failed: {description}"[:600]
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
