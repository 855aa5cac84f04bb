"""The home's Dagster instance: its config, and the pooled SQLite event log every run writes."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.config import INSTANCE_YAML, OLD_INSTANCE_YAMLS, Settings
from orchestration.event_log import OPEN_SHARDS, PooledSqliteEventLogStorage


@dg.asset
def counted() -> int:
    return 1


@dg.asset_check(asset=counted)
def counted_is_one() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@pytest.fixture
def home(fsw_home: Path) -> Path:
    Settings(home=fsw_home).ensure()
    return fsw_home


def test_a_new_home_gets_the_pooled_event_log(home):
    assert (home / "dagster" / "dagster.yaml").read_text(encoding="utf-8") == INSTANCE_YAML
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        # Dagster's usual layout under DAGSTER_HOME: runs.db, one file per run, schedules.
        assert (home / "dagster" / "history" / "runs.db").exists()


def test_events_written_through_kept_connections_are_read_by_another_instance(home):
    with dg.DagsterInstance.get() as writer:
        runs = [dg.materialize([counted, counted_is_one], instance=writer).run_id for _ in range(OPEN_SHARDS + 3)]
        # Only the most recent shards keep an open engine.
        assert len(writer.event_log_storage._engines) <= OPEN_SHARDS
    # A separate instance, as the Dagster UI opens: every run, every event, committed.
    with dg.DagsterInstance.get() as reader:
        for run_id in runs:
            assert reader.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
            types = [e.dagster_event_type for e in reader.all_logs(run_id) if e.is_dagster_event]
            assert types.count(dg.DagsterEventType.ASSET_MATERIALIZATION) == 1
            assert types.count(dg.DagsterEventType.ASSET_CHECK_EVALUATION) == 1
        materializations = reader.fetch_materializations(dg.AssetKey("counted"), limit=100).records
        assert len(materializations) == len(runs)


def test_wipe_leaves_no_connection_to_deleted_run_files(home):
    with dg.DagsterInstance.get() as instance:
        first = dg.materialize([counted], instance=instance).run_id
        instance.wipe()
        assert instance.event_log_storage._engines == {}
        second = dg.materialize([counted], instance=instance).run_id
        assert instance.all_logs(first) == []
        assert any(e.is_dagster_event for e in instance.all_logs(second))


def test_an_old_instance_config_is_upgraded_and_an_edited_one_kept(fsw_home):
    config = fsw_home / "dagster" / "dagster.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(OLD_INSTANCE_YAMLS[0], encoding="utf-8")
    Settings(home=fsw_home).ensure()
    assert config.read_text(encoding="utf-8") == INSTANCE_YAML
    edited = INSTANCE_YAML.replace("default_limit: 1", "default_limit: 2")
    config.write_text(edited, encoding="utf-8")
    Settings(home=fsw_home).ensure()
    assert config.read_text(encoding="utf-8") == edited
