"""A corrupted activity file dropped in the inbox: the sensor-started run fails at the GX check."""

import hashlib

import dagster as dg
import pytest

from orchestration.runner import ensure_dbt_manifest
from tests.conftest import run_fsw

pytestmark = pytest.mark.slow


def _tree_digest(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_corrupted_inbox_file_fails_at_the_check_and_changes_nothing(fsw_home, monkeypatch):
    assert run_fsw(fsw_home, "run").returncode == 0
    assert run_fsw(fsw_home, "extract", "--scope", "region:84", "--format", "csv").returncode == 0
    serving = fsw_home / "serving" / "warehouse.duckdb"
    serving_before = hashlib.sha256(serving.read_bytes()).hexdigest()
    extracts_before = _tree_digest(fsw_home / "extracts")

    # Shifted columns: the counts column holds dates, so almost every row is rejected.
    inbox = fsw_home / "inbox" / "activity"
    inbox.mkdir(parents=True, exist_ok=True)
    lines = ["Matricule;Date;Partenaire;Thématique;Canal;Nombre de demandes"]
    lines += [f"{i};CAF;03/02/2025;Prestations;Accueil physique;04/02/2025" for i in range(1, 40)]
    lines += ["1;03/02/2025;CAF;Prestations;Accueil physique;5"]
    (inbox / "activite_decale.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    monkeypatch.setenv("FSW_DEMO_MONTHS", "1")
    ensure_dbt_manifest()
    from orchestration.definitions import BUILD_JOB, LOAD_SOURCES_JOB, defs

    with dg.DagsterInstance.get() as instance:
        repository = defs.get_repository_def()
        sensor = repository.get_sensor_def("inbox_activity")
        request = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, repository_def=repository)
        ).run_requests
        assert len(request) == 1 and not list(inbox.glob("*.csv"))  # landed and consumed
        load = defs.resolve_job_def(LOAD_SOURCES_JOB).execute_in_process(instance=instance, tags=request[0].tags)
        assert load.success

        after = repository.get_sensor_def("build_after_load")
        success_event = instance.all_logs(load.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)[0].dagster_event
        context = dg.build_run_status_sensor_context(
            sensor_name="build_after_load",
            dagster_event=success_event,
            dagster_instance=instance,
            dagster_run=load.dagster_run,
            repository_def=repository,
        )
        build_request = after(context)
        assert build_request.tags["dagster/asset_partition_range_start"] == "2025-02-01"
        build = defs.resolve_job_def(BUILD_JOB).execute_in_process(
            instance=instance, tags=build_request.tags, raise_on_error=False
        )
    assert not build.success
    evaluations = {e.check_name: e for e in build.get_asset_check_evaluations()}
    failed = evaluations["gx_raw_activity"]
    assert not failed.passed
    assert failed.metadata["corrupted_files"].value == ["activite_decale.csv"]
    assert "load_rejected_share" in failed.description
    published = [
        e
        for e in build.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == ["publish", "serving_db"]
    ]
    assert not published
    assert hashlib.sha256(serving.read_bytes()).hexdigest() == serving_before
    assert _tree_digest(fsw_home / "extracts") == extracts_before
    assert list((fsw_home / "landing" / "activity").glob("*/activite_decale.csv"))
