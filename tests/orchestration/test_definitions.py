"""The whole Definitions load, with every expected asset, check, job, schedule and sensor."""

import dagster as dg

from orchestration.runner import ensure_dbt_manifest

ensure_dbt_manifest()

from orchestration.definitions import defs  # noqa: E402

EXPECTED_ASSETS = {
    "raw/insee_reference",
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
    "marts/dim_commune:unique_dim_commune_commune_code",
    "marts/dim_date:unique_dim_date_date_day",
}


def test_every_expected_asset_and_check_exists():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert EXPECTED_ASSETS <= keys
    checks = {f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys}
    assert EXPECTED_CHECKS <= checks


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
