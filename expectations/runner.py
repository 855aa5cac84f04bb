"""Run a GX suite on a DataFrame and describe the outcome in a few lines."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from expectations.suites import SUITES


@dataclass
class SuiteOutcome:
    """What a suite run found: success, one entry per failed expectation, counts."""

    suite: str
    success: bool
    evaluated: int
    failures: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        """One line: which expectations failed and how many rows."""
        if self.success:
            return f"{self.suite}: {self.evaluated} expectations passed"
        parts = [
            f"{f['expectation']}({f['column'] or 'table'}): {f['unexpected_count']} rows, e.g. {f['examples'][:3]}"
            for f in self.failures
        ]
        return f"{self.suite} failed: " + "; ".join(parts)


def run_suite(name: str, frame: pd.DataFrame, *, docs_dir: Path | None = None, **params) -> SuiteOutcome:
    """Validate ``frame`` with suite ``name`` in an ephemeral GX context.

    GX is imported here, not at module import, because it costs ~3 s. When ``docs_dir`` is
    given, the validation result is written there as JSON (our Data Docs).
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    data, expectations = SUITES[name](frame, **params)
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            progress_bars=ProgressBarsConfig(globally=False),
            analytics_enabled=False,
        ),
    )
    batch = (
        context.data_sources.add_pandas(f"{name}_source")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_validation", data=batch, suite=suite)
    )
    result = definition.run(batch_parameters={"dataframe": data}, result_format="SUMMARY")
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        details = item.result or {}
        failures.append(
            {
                "expectation": config.type,
                "column": config.kwargs.get("column"),
                "unexpected_count": details.get("unexpected_count", details.get("observed_value")),
                "examples": [str(v)[:60] for v in (details.get("partial_unexpected_list") or [])][:10],
            }
        )
    outcome = SuiteOutcome(name, bool(result.success), len(result.results), failures)
    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        (docs_dir / f"{name}.json").write_text(json.dumps(result.to_json_dict(), indent=1, default=str), encoding="utf-8")
    return outcome
