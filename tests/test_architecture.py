"""Imports go one way: readers and suites never import Dagster or the orchestration package."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "ingestion": ("dagster", "dagster_dbt", "dbt", "great_expectations", "orchestration"),
    "expectations": ("dagster", "dagster_dbt", "orchestration"),
}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_readers_and_suites_import_neither_dagster_nor_orchestration():
    offenders = []
    for package, forbidden in FORBIDDEN.items():
        for path in (ROOT / package).rglob("*.py"):
            for module in _imported_modules(path):
                if module.split(".")[0] in forbidden:
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []
