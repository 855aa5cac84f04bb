"""One decision for the CLI and the sensors: the same landed file gives the same two runs."""

import shutil

import dagster as dg
import duckdb
import pytest

from orchestration.defs.exports.partitions import RANGE_END, RANGE_START
from orchestration.runner import ensure_dbt_manifest
from orchestration.selection import SOURCE_TAG
from tests.conftest import last_line, run_fsw

pytestmark = pytest.mark.slow


def _write_export(home, path) -> None:
    """A small real activity export for 20 sites of the home's current listing, last month."""
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        sites = [
            r[0]
            for r in con.execute("select site_id from dim_site where is_current order by site_id limit 20").fetchall()
        ]
        [(month,)] = con.execute("select strftime(max(month_start), '%m/%Y') from fct_satisfaction").fetchall()
    finally:
        con.close()
    lines = ["Matricule;Date;Partenaire;Thématique;Canal;Nombre de demandes;Dont résolues au premier contact"]
    lines += [f"{site};03/{month};CAF;Prestations;Accueil physique;{n + 3};{n}" for n, site in enumerate(sites)]
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")


def _runs(instance) -> list[tuple]:
    """(job, asset selection, partition range) of the home's runs after the first `fsw run`, oldest first."""
    runs = sorted(instance.get_runs(), key=lambda run: instance.get_run_record_by_id(run.run_id).create_timestamp)
    return [
        (
            run.job_name,
            frozenset(run.asset_selection or ()),
            run.tags.get(RANGE_START),
            run.tags.get(RANGE_END),
            run.tags.get(SOURCE_TAG),
        )
        for run in runs[2:]
    ]


def test_an_inbox_file_and_fsw_ingest_give_the_same_runs_and_plan_extract_docs_are_runs(
    fsw_home, tmp_path, monkeypatch
):
    cli_home = tmp_path / "cli"
    done = run_fsw(cli_home, "run")
    assert done.returncode == 0, last_line(done.stderr)
    shutil.copytree(cli_home, fsw_home)
    export = tmp_path / "activite_reelle.csv"
    _write_export(cli_home, export)

    done = run_fsw(cli_home, "ingest", "activity", str(export))
    assert done.returncode == 0, last_line(done.stderr)
    with monkeypatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(cli_home / "dagster"))  # the instance config names its folder by env
        with dg.DagsterInstance.get() as instance:
            cli_runs = _runs(instance)

    inbox = fsw_home / "inbox" / "activity"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(export, inbox / export.name)
    monkeypatch.setenv("FSW_DEMO_MONTHS", "1")
    ensure_dbt_manifest()
    from orchestration.definitions import BUILD_JOB, LOAD_SOURCES_JOB, defs

    with dg.DagsterInstance.get() as instance:
        repository = defs.get_repository_def()
        [load_request] = (
            repository.get_sensor_def("inbox_activity")
            .evaluate_tick(dg.build_sensor_context(instance=instance, repository_def=repository))
            .run_requests
        )
        load = defs.resolve_job_def(LOAD_SOURCES_JOB).execute_in_process(
            instance=instance, asset_selection=load_request.asset_selection, tags=load_request.tags
        )
        assert load.success
        success = instance.all_logs(load.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)[0].dagster_event
        build_request = repository.get_sensor_def("build_after_load")(
            dg.build_run_status_sensor_context(
                sensor_name="build_after_load",
                dagster_event=success,
                dagster_instance=instance,
                dagster_run=load.dagster_run,
                repository_def=repository,
            )
        )
        build = defs.resolve_job_def(BUILD_JOB).execute_in_process(
            instance=instance, asset_selection=build_request.asset_selection, tags=build_request.tags
        )
        assert build.success
        sensor_runs = _runs(instance)

    assert [run[0] for run in cli_runs] == [LOAD_SOURCES_JOB, BUILD_JOB]
    assert sensor_runs == cli_runs
    # An activity file alone: the listing and reference are not reloaded, one month is rebuilt.
    load_assets, build_assets = cli_runs[0][1], cli_runs[1][1]
    assert dg.AssetKey(["raw", "site_listing"]) not in load_assets
    assert dg.AssetKey(["raw", "activity"]) in build_assets and cli_runs[1][2] == cli_runs[1][3]
    assert dg.AssetKey(["marts", "fct_coverage"]) not in build_assets
    _plan_and_extract_are_runs_of_the_instance(fsw_home)


def _plan_and_extract_are_runs_of_the_instance(fsw_home):
    """On the same home (one first run less to wait for): `fsw plan`, `fsw extract`, dbt docs."""
    done = run_fsw(fsw_home, "plan", "--sites", "5", demo_months=0)
    assert done.returncode == 0, last_line(done.stderr)
    assert len([line for line in done.stdout.splitlines() if line[:3].strip().isdigit()]) == 5
    done = run_fsw(fsw_home, "extract", "--scope", "region:76", "--format", "xlsx", demo_months=0)
    assert done.returncode == 0, last_line(done.stderr)
    folder = done.stdout.strip().splitlines()[-1]
    assert folder.endswith("regions/76") and (fsw_home / "extracts").exists()
    done = run_fsw(fsw_home, "extract", "--scope", "region:99", demo_months=0)
    assert done.returncode == 1 and last_line(done.stderr).endswith("unknown region '99'")
    with dg.DagsterInstance.get() as instance:
        done_runs = {(run.job_name, run.status) for run in instance.get_runs()}
        assert {
            ("plan_sites", dg.DagsterRunStatus.SUCCESS),
            ("write_extracts", dg.DagsterRunStatus.SUCCESS),
            ("write_extracts", dg.DagsterRunStatus.FAILURE),
        } <= done_runs
        ensure_dbt_manifest()
        from orchestration.definitions import OUTPUTS_JOB, defs

        docs = defs.resolve_job_def(OUTPUTS_JOB).execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey(["publish", "dbt_docs"])]
        )
        assert docs.success and (fsw_home / "docs" / "dbt" / "index.html").exists()
        runs = {run.job_name: run for run in instance.get_runs()}
        plan_keys = {
            e.asset_key.to_user_string()
            for e in instance.get_records_for_run(
                runs["plan_sites"].run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
            for e in [e.event_log_entry.dagster_event]
        }
    assert {"raw/site_proposals", "marts/mart_site_proposals", "publish/serving_db"} <= plan_keys
    con = duckdb.connect(str(fsw_home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from mart_site_proposals").fetchone()[0] == 5
    finally:
        con.close()
