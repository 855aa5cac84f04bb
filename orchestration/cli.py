"""The `fsw` command line: run, ingest, status (and the verbs of later issues).

Expected errors (``InputError``) print one line on stderr and exit 1, never a traceback.
"""

from __future__ import annotations

import atexit
import functools
import os
import sys
from pathlib import Path

import click

from ingestion.errors import InputError
from ingestion.landing import SOURCES
from orchestration.config import apply_environment, load_settings


def _one_line_errors(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            click.echo(f"fsw: error: {error.line()}", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            # Skip interpreter teardown: native libraries may print leak notices after our line.
            os._exit(1)

    return wrapper


def _print_summary(summary) -> None:
    """The end of a successful run: what it did on stderr, the published file on stdout.

    A failed run prints nothing here: its one ``fsw: error:`` line says it all.
    """
    out = functools.partial(click.echo, err=True)
    out("─" * 60)
    out(f"run {summary.run_id}: succeeded ({len(summary.checks_passed)} checks passed, {len(summary.warnings)} warned)")
    for line in summary.notes:
        out(f"  {line}")
    for line in summary.warnings[:5]:
        out(f"  warning: {line}")
    if summary.published:
        tables = summary.published["tables"]
        rows = ", ".join(f"{t} {n:,}" for t, n in tables.items() if not t.startswith("fsw_"))
        out(f"published: {rows}")
        click.echo(summary.published["path"])
    else:
        out("not published (--no-publish): run `fsw run` to publish")


@click.group()
def main() -> None:
    """France Services warehouse: load, check, build and publish.

    Everything is written under FSW_HOME (default ./warehouse).
    """


@main.command()
@_one_line_errors
def run() -> None:
    """Materialise everything (gates, dbt, publish) on the data already landed or embedded."""
    from orchestration.inbox import collect_inbox
    from orchestration.runner import run_job

    settings = load_settings().ensure()
    apply_environment(settings)
    for source in SOURCES:
        landed, refused = collect_inbox(settings, source)
        if landed or refused:
            click.echo(f"inbox/{source}: {len(landed)} file(s) landed, {len(refused)} refused", err=True)
        for line in refused[:5]:
            click.echo(f"  refused: {line}", err=True)
    summary = run_job(settings, full=True)
    if not summary.success:
        raise InputError(summary.failure)
    _print_summary(summary)


EXPORTS = "exports"  # activity and satisfaction files together, each recognised from its header


@main.command()
@click.argument("source", type=click.Choice([*SOURCES, EXPORTS]))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date the file describes (YYYY-MM-DD)."
)
@click.option("--no-publish", is_flag=True, help="Load and check, but do not publish serving/ yet.")
@click.option("--allow-drop", is_flag=True, help="Accept a volume drop beyond the threshold.")
@click.option(
    "--year",
    type=click.IntRange(1800, 2100),
    metavar="YYYY",
    help="Census vintage of a file that does not state it (INSEE donnees_communes.csv).",
)
@_one_line_errors
def ingest(source: str, paths: tuple[Path, ...], as_of, no_publish: bool, allow_drop: bool, year: int | None) -> None:
    """Land files of SOURCE unchanged in landing/, load them, run the gates and publish.

    SOURCE `exports` takes activity and satisfaction files together (a month of both in one
    command), each recognised from its header; an unrecognised file stops the command before
    anything is landed."""
    from orchestration.ingest import land_inputs
    from orchestration.runner import run_job

    settings = load_settings().ensure()
    apply_environment(settings)
    as_of_date = as_of.date() if as_of else None

    def already_landed(name: str, load_id: str) -> None:
        click.echo(f"{name}: already landed as load {load_id} (same bytes); nothing new to land", err=True)

    if source == EXPORTS:
        from ingestion.exports import detect_export_source

        groups: dict[str, list[Path]] = {}
        for path in paths:
            groups.setdefault(detect_export_source(path), []).append(path)
    else:
        groups = {source: list(paths)}
    for group, files in groups.items():
        landed = land_inputs(
            settings, group, files, as_of=as_of_date, allow_drop=allow_drop, on_duplicate=already_landed, year=year
        )
        for item in landed:
            click.echo(f"landed {item.original_name} → landing/{group}/{item.load_id}/", err=True)
    summary = run_job(settings, publish=not no_publish, tags={"fsw/trigger": "cli"}, source=source)
    if not summary.success:
        raise InputError(summary.failure)
    _print_summary(summary)


@main.command()
@click.option("--sites", "n_sites", type=int, required=True, help="How many new sites to propose.")
@click.option("--scope", default="national", show_default=True, help="national, region:<code> or department:<code>.")
@_one_line_errors
def plan(n_sites: int, scope: str) -> None:
    """Propose where the next N sites should go (greedy maximal 30-minute coverage).

    A run of the job `plan_sites` (recorded in the Dagster instance): the proposals, then
    mart_site_proposals built by dbt with its tests, then a new publication.
    """
    from orchestration.plan import parse_plan_scope
    from orchestration.runner import run_asset_job

    if n_sites < 1:
        raise InputError("--sites must be at least 1")
    parse_plan_scope(scope)
    settings = load_settings().ensure()
    summary = run_asset_job(
        settings,
        "plan_sites",
        run_config={"ops": {"raw__site_proposals": {"config": {"n_sites": n_sites, "scope": scope}}}},
    )
    if not summary.success:
        raise InputError(summary.failure)
    picks = summary.materialized["raw/site_proposals"]["picks"]
    click.echo(f"{'#':>3}  {'commune':<32} {'dep':>4}  {'newly covered':>13}  {'cumulative share':>16}")
    for row in picks:
        click.echo(
            f"{row['pick']:>3}  {row['commune_code']} {row['commune_name'][:26]:<26} {row['department_code']:>4}  "
            f"{row['population_newly_covered']:>13,}  {row['share_within_30_min_after']:>16.2%}"
        )
    if not picks:
        click.echo("every inhabitant of the scope is already within 30 minutes of a site")
    click.echo(f"published: {summary.published['path']} (run {summary.run_id})", err=True)


@main.command()
@click.option("--scope", default="national", show_default=True, help="national, region:<code> or department:<code>.")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "xlsx"]), default="csv", show_default=True)
@_one_line_errors
def extract(scope: str, fmt: str) -> None:
    """Write the extracts of a territory from the published serving DB (never the work DB).

    A run of the job `write_outputs` restricted to the extracts (recorded in the Dagster instance).
    """
    from orchestration.extracts import parse_scope
    from orchestration.runner import run_asset_job

    parse_scope(scope)  # the syntax first: one line, before any run
    settings = load_settings().ensure()
    summary = run_asset_job(
        settings,
        "write_extracts",
        lock=False,
        run_config={"ops": {"publish__extracts": {"config": {"scopes": [scope], "format": fmt}}}},
    )
    if not summary.success:
        raise InputError(summary.failure)
    written = summary.materialized["publish/extracts"]
    for name, rows in written["files"][scope].items():
        click.echo(f"  {name}: {rows:,} rows", err=True)
    click.echo(written["folders"][scope])


@main.command()
@click.option("--months", default=12, show_default=True, help="Months of activity and satisfaction exports.")
@click.option("--sites", "n_sites", default=2845, show_default=True, help="Sites in the demo listing.")
@click.option("--seed", default=0, show_default=True)
@_one_line_errors
def demo(months: int, n_sites: int, seed: int) -> None:
    """Write national-scale demo exports into the inbox (and the demo listing).

    The files are registered as demo by their content hash: loaded by `fsw run` or the inbox
    sensors, they count as demo data, which the first real load of a source replaces.
    """
    from orchestration.demo_cli import write_demo_inbox

    settings = load_settings().ensure()
    apply_environment(settings)
    counts = write_demo_inbox(settings, months=months, n_sites=n_sites, seed=seed)
    click.echo(
        f"demo: {counts['activity_files']:,} activity files ({counts['activity_rows']:,} rows), "
        f"{counts['satisfaction_files']:,} satisfaction files (`fsw run` loads them)",
        err=True,
    )
    click.echo(settings.inbox)


@main.command()
@click.option("--port", default=3000, show_default=True, help="Port of the web UI.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface the web UI listens on.")
@_one_line_errors
def ui(port: int, host: str) -> None:
    """Open the Dagster UI on this home, with its daemon (inbox sensors, schedules): `dagster dev`.

    The same as `FSW_HOME=… DAGSTER_HOME=$FSW_HOME/dagster dagster dev` from the project root,
    without having to be there, and without Dagster's notice that `dg dev` supersedes
    `dagster dev` (the `dg` CLI is not part of this project).
    """
    import warnings

    from orchestration.config import PROJECT_ROOT
    from orchestration.private_api import dagster_cli

    settings = load_settings().ensure()
    apply_environment(settings)  # absolute FSW_HOME and DAGSTER_HOME for every child process
    os.chdir(PROJECT_ROOT)  # where pyproject.toml's [tool.dagster] names the code location
    click.echo(f"Dagster UI for {settings.home}: http://{host}:{port} (Ctrl-C stops it)", err=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is superseded", category=FutureWarning)
        dagster_cli(["dev", "--port", str(port), "--host", host])


@main.group()
def serve() -> None:
    """Serve the published warehouse to BI tools beyond the DuckDB file."""


@serve.command("postgres")
@click.option("--stop", is_flag=True, help="Stop the home's local PostgreSQL server.")
@click.option("--refresh", is_flag=True, help="Copy the published serving DB in again now.")
@click.option("--grant", help="national or region:<code>: make --user a reader of that scope.")
@click.option("--user", "user", help="Login to create or update with --grant (password: FSW_PG_PASSWORD).")
@_one_line_errors
def serve_postgres(stop: bool, refresh: bool, grant: str | None, user: str | None) -> None:
    """Start the PostgreSQL serving endpoint (a local server under FSW_HOME/postgres/ unless
    FSW_POSTGRES_DSN names one) and copy the published warehouse into it when it holds nothing
    yet (or with --refresh); every successful publish then refreshes it. With --grant and
    --user: create or update a reader login (password from FSW_PG_PASSWORD)."""
    from orchestration.postgres.cli import grant_reader, start_serving, stop_serving

    settings = load_settings().ensure()
    apply_environment(settings)
    if stop:
        click.echo(stop_serving(settings), err=True)
    elif grant or user:
        if not (grant and user):
            raise InputError("--grant and --user go together: --grant region:76 --user NAME")
        click.echo(grant_reader(settings, grant, user, os.environ.get("FSW_PG_PASSWORD", "")), err=True)
    else:
        dsn, lines = start_serving(settings, refresh=refresh)
        for line in lines:
            click.echo(line, err=True)
        click.echo(dsn)


@main.command()
@_one_line_errors
def status() -> None:
    """Say what is loaded: each source (demo or real), its loads, quarantine, publication."""
    from orchestration.status import render_status

    click.echo(render_status(load_settings()))


def run_cli(args: list[str] | None = None) -> None:
    """The `fsw` console script: run the command, then exit without tearing the interpreter down.

    By the time a command returns, its work is committed and its files and databases closed;
    freeing the ~500,000 objects that Dagster, dbt and GX leave behind would still cost 1.3–1.5 s
    at every exit. So the exit handlers run and the streams are flushed, then the process ends.
    Unexpected exceptions keep Python's usual exit (and its traceback).
    """
    try:
        main.main(args=args, prog_name="fsw", standalone_mode=True)
        code = 0
    except SystemExit as done:
        code = done.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        click.echo(str(code), err=True)
        code = 1
    atexit._run_exitfuncs()  # what a normal exit would run: logging.shutdown, multiprocessing…
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader that went away (`fsw status | head`)
            code = code or 1
    os._exit(code)


if __name__ == "__main__":
    run_cli()
