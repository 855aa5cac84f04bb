"""The private Dagster/dagster-dbt APIs the project relies on still hold under the pinned versions."""

from orchestration import private_api


def test_every_private_api_relied_on_is_there():
    assert private_api.check_private_api() == []


def test_a_missing_private_api_is_named_with_the_module(monkeypatch):
    monkeypatch.delattr(private_api.DbtCliResource, "_initialize_dbt_core_adapter")
    [problem] = private_api.check_private_api()
    assert problem.startswith("orchestration/private_api.py: DbtCliResource has no '_initialize_dbt_core_adapter'")


def test_no_other_module_imports_a_private_api():
    from pathlib import Path

    root = Path(private_api.__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(root))
        for folder in ("ingestion", "orchestration", "expectations")
        for path in (root / folder).rglob("*.py")
        if path.name != "private_api.py"
        and (
            "dagster._core" in path.read_text(encoding="utf-8")
            or "dagster_dbt.core" in path.read_text(encoding="utf-8")
        )
    ]
    assert offenders == []
