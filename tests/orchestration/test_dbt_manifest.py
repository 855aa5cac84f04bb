"""The dbt project as its manifest describes it: documented marts, layers that read downward.

Every column of a mart reaches BI users (the serving file's comments, the Dagster UI's column
table), so each needs a description; the marts' enforced contracts make the yml's column list
the table's. The layers: staging reads sources, intermediate reads staging and intermediate,
marts read anything but sources.
"""

import json

import pytest

from orchestration.config import DBT_PROJECT_DIR
from orchestration.runner import ensure_dbt_manifest

MART_PREFIXES = ("dim_", "fct_", "mart_")


@pytest.fixture(scope="module")
def manifest() -> dict:
    ensure_dbt_manifest()
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))


def models(manifest: dict, layer: str) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and layer in node["fqn"]
    }


def test_every_mart_and_every_mart_column_has_a_description(manifest):
    marts = models(manifest, "marts")
    assert len(marts) == 18 and all(name.startswith(MART_PREFIXES) for name in marts)
    undocumented = sorted(
        f"{name}.{column}"
        for name, node in marts.items()
        for column, spec in node["columns"].items()
        if not spec.get("description", "").strip()
    )
    assert undocumented == [], f"mart columns without a description in _marts__models.yml: {undocumented}"
    assert sorted(name for name, node in marts.items() if not node["description"].strip()) == []


def test_marts_enforce_their_contract_and_persist_their_docs(manifest):
    for name, node in models(manifest, "marts").items():
        config = node["config"]
        assert config["contract"]["enforced"], f"{name}: contract not enforced"
        assert node["columns"], f"{name}: no columns declared"
        assert all(spec.get("data_type") for spec in node["columns"].values()), f"{name}: a column without data_type"
        assert config["persist_docs"] == {"relation": True, "columns": True}, name


def test_layers_read_downward(manifest):
    def parents(node):
        return [manifest["nodes"].get(uid) or manifest["sources"].get(uid) for uid in node["depends_on"]["nodes"]]

    upward = []
    for name, node in models(manifest, "intermediate").items():
        for parent in parents(node):
            if parent["resource_type"] == "source" or "marts" in parent["fqn"]:
                upward.append(f"{name} reads {parent['name']}")
    for name, node in models(manifest, "marts").items():
        upward += [
            f"{name} reads source {p['source_name']}.{p['name']}"
            for p in parents(node)
            if p["resource_type"] == "source"
        ]
    for name, node in models(manifest, "staging").items():
        upward += [f"{name} reads {p['name']}" for p in parents(node) if p["resource_type"] != "source"]
    assert upward == []


def test_sources_keep_their_dagster_asset_keys(manifest):
    keys = {
        source["source_name"]: source["meta"]["dagster"]["asset_key"]
        for source in manifest["sources"].values()
        if source["source_name"] != "computed"
    }
    assert keys == {
        "activity": ["raw", "activity"],
        "satisfaction": ["raw", "satisfaction"],
        "anct": ["raw", "site_listing"],
        "insee": ["raw", "insee_reference"],
        "barometer": ["raw", "barometer"],
        "plan": ["raw", "site_proposals"],
        "outreach": ["raw", "outreach"],
        "qpv": ["raw", "qpv"],
    }
    # The source computed (the tables the Dagster assets of orchestration/defs/nearest write)
    # names one asset per table.
    computed = {
        source["name"]: source["meta"]["dagster"]["asset_key"]
        for source in manifest["sources"].values()
        if source["source_name"] == "computed"
    }
    assert computed == {name: ["intermediate", name] for name in computed} and len(computed) == 3
    # Each source is declared in its own staging folder.
    for source in manifest["sources"].values():
        assert source["original_file_path"].startswith(f"models/staging/{source['source_name']}/"), source["unique_id"]


def test_scd2_history_and_incremental_facts_have_unit_tests(manifest):
    tested = {test["model"] for test in manifest["unit_tests"].values()}
    assert {"int_sites_history", "fct_demand", "fct_satisfaction"} <= tested
