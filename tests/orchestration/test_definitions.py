"""The whole Definitions load, with every expected asset, check, job, schedule and sensor."""

import dagster as dg
import pytest

from orchestration.runner import ensure_dbt_manifest

ensure_dbt_manifest()

from orchestration.definitions import defs  # noqa: E402

EXPECTED_ASSETS = {
    "raw/insee_reference",
    "raw/site_listing",
    "raw/barometer",
    "raw/outreach",
    "raw/qpv",
    "staging/stg_outreach__places",
    "staging/stg_outreach__sessions",
    "staging/stg_qpv__neighbourhoods",
    "raw/activity_files",
    "raw/satisfaction_files",
    "raw/activity",
    "raw/satisfaction",
    "staging/stg_anct__sites",
    "staging/stg_activity__requests",
    "staging/stg_satisfaction__answers",
    "intermediate/int_sites_history",
    "intermediate/int_coverage_nearest",
    "marts/dim_site",
    "marts/dim_partner",
    "marts/dim_theme",
    "marts/fct_demand",
    "marts/fct_satisfaction",
    "marts/fct_coverage",
    "marts/mart_territory_monthly",
    "marts/mart_site_scorecard",
    "marts/mart_coverage_gaps",
    "marts/mart_network_growth",
    "marts/mart_published_reconciliation",
    "marts/mart_site_proposals",
    "publish/extracts",
    "publish/dbt_docs",
    "seeds/french_public_holidays",
    "staging/stg_insee__communes",
    "staging/stg_insee__epci",
    "staging/stg_insee__departments",
    "marts/dim_commune",
    "marts/dim_date",
    "publish/serving_db",
}
EXPECTED_CHECKS = {
    "raw/insee_reference:gx_raw_insee_communes",
    "raw/site_listing:gx_raw_site_listing",
    "raw/outreach:gx_raw_outreach_places",
    "raw/outreach:gx_raw_outreach_sessions",
    "raw/qpv:gx_raw_qpv",
    "raw/activity:gx_raw_activity",
    "raw/satisfaction:gx_raw_satisfaction",
    "raw/activity_files:fresh_activity_within_45_days",
    "raw/site_listing:fresh_sites_within_45_days",
    "marts/dim_site:one_current_row_per_site_dim_site_",
    "marts/mart_territory_monthly:national_equals_sum_of_regions_mart_territory_monthly_",
    "marts/fct_coverage:within_30_min_matches_travel_minutes_fct_coverage_",
    "marts/dim_commune:unique_dim_commune_commune_code",
    "marts/dim_date:unique_dim_date_date_day",
    "marts/mart_published_reconciliation:warehouse_within_20_percent_of_published",
    "marts/mart_published_reconciliation:published_acts_add_up_to_national",
}


def test_every_expected_asset_and_check_exists():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert EXPECTED_ASSETS <= keys
    checks = {f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys}
    assert EXPECTED_CHECKS <= checks


def test_jobs_schedules_and_sensors_exist_with_descriptions():
    repository = defs.get_repository_def()
    assert {
        "refresh_all",
        "load_sources",
        "build_and_publish",
        "write_outputs",
        "write_extracts",
        "plan_sites",
        "check_freshness",
    } <= set(repository.job_names)
    schedules = {s.name: s for s in repository.schedule_defs}
    assert set(schedules) == {"monthly_refresh", "monthly_extracts", "daily_freshness"}
    assert schedules["monthly_refresh"].cron_schedule == "0 6 5 * *"
    assert all(s.execution_timezone == "Europe/Paris" and s.description for s in schedules.values())
    sensors = {s.name: s for s in repository.sensor_defs}
    assert {f"inbox_{s}" for s in ("activity", "satisfaction", "sites", "barometer", "insee", "outreach", "qpv")} | {
        "build_after_load"
    } == set(sensors)
    assert all(s.description for s in sensors.values())


def test_monthly_assets_are_partitioned_in_paris_time_with_single_run_backfills():
    graph = defs.resolve_asset_graph()
    for key in (dg.AssetKey(["raw", "activity"]), dg.AssetKey(["raw", "satisfaction"])):
        node = graph.get(key)
        assert node.partitions_def.timezone == "Europe/Paris"
        assert node.partitions_def.get_partition_keys()[0] == "2020-01-01"
        assert node.backfill_policy == dg.BackfillPolicy.single_run()


def test_every_asset_has_a_description_and_owner():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if key.path[0] in ("raw", "publish", "marts"):
            assert node.description, f"{key.to_user_string()} has no description"
            assert node.owners, f"{key.to_user_string()} has no owner"


def test_gx_check_is_blocking_and_job_runs_in_process():
    from orchestration.defs.insee.checks import gx_raw_insee_communes

    [spec] = list(gx_raw_insee_communes.check_specs)
    assert spec.name == "gx_raw_insee_communes" and spec.blocking
    job = defs.resolve_job_def("refresh_all")
    assert job.executor_def.name == dg.in_process_executor.name


def test_the_duckdb_memory_cap_reaches_dbt_and_a_bad_one_is_refused(monkeypatch, tmp_path):
    import os

    from ingestion.errors import InputError
    from orchestration.config import apply_environment, load_settings

    monkeypatch.setenv("FSW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FSW_DUCKDB_MEMORY_LIMIT", raising=False)
    settings = load_settings()
    assert settings.duckdb_memory_limit == "1.5GB"
    monkeypatch.setenv("FSW_DUCKDB_MEMORY_LIMIT", "1.5GiB")
    apply_environment(load_settings())
    assert os.environ["FSW_DUCKDB_MEMORY_LIMIT"] == "1.5GiB"  # what dbt's profile reads
    monkeypatch.setenv("FSW_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(InputError, match="expected a size such as 2GB"):
        load_settings()
