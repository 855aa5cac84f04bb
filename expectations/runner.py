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
    """Validate ``frame`` with suite ``name``: in the GX helper process when the command
    started one (``expectations.helper``), else in this process (``run_suite_here``)."""
    from expectations import helper

    outcome = helper.validate(name, frame, docs_dir, params)
    if outcome is None:
        outcome = run_suite_here(name, frame, docs_dir=docs_dir, **params)
    return outcome


def run_suite_here(name: str, frame: pd.DataFrame, *, docs_dir: Path | None = None, **params) -> SuiteOutcome:
    """Validate ``frame`` with suite ``name`` in an ephemeral GX context, in this process.

    GX is imported here, not at module import, because it costs ~3 s. When ``docs_dir`` is
    given, the validation result is written there as JSON (our Data Docs).
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    data, expectations = SUITES[name](frame, **params)
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

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
        (docs_dir / f"{name}.json").write_text(
            json.dumps(result.to_json_dict(), indent=1, default=str), encoding="utf-8"
        )
        (docs_dir / f"{name}.html").write_text(_html_report(name, len(data), result), encoding="utf-8")
        _write_index(docs_dir)
    return outcome


def _html_report(name: str, rows: int, result) -> str:
    """A small self-contained page of one validation: each expectation, its outcome, samples."""
    from html import escape

    lines = []
    for item in result.results:
        config, details = item.expectation_config, item.result or {}
        kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
        samples = ", ".join(escape(str(v)[:40]) for v in (details.get("partial_unexpected_list") or [])[:10])
        lines.append(
            f"<tr class={'ok' if item.success else 'ko'}><td>{'✓' if item.success else '✗'}</td>"
            f"<td>{escape(config.type)}</td><td>{escape(json.dumps(kwargs, default=str))[:300]}</td>"
            f"<td>{details.get('unexpected_count', '')}</td><td>{samples}</td></tr>"
        )
    status = "passed" if result.success else "FAILED"
    return (
        "<!doctype html><meta charset=utf-8><title>" + escape(name) + "</title>"
        "<style>body{font:14px sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px}"
        ".ko{background:#fdd}.ok{background:#efe}</style>"
        f"<h1>{escape(name)}: {status}</h1><p>{rows:,} rows validated.</p>"
        "<table><tr><th></th><th>expectation</th><th>arguments</th><th>unexpected</th><th>examples</th></tr>"
        + "".join(lines)
        + "</table><p><a href=index.html>all suites</a></p>"
    )


def _write_index(docs_dir: Path) -> None:
    pages = sorted(p.name for p in docs_dir.glob("*.html") if p.name != "index.html")
    links = "".join(f"<li><a href='{page}'>{page[:-5]}</a></li>" for page in pages)
    (docs_dir / "index.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>GX validations</title><h1>Last validation of each suite</h1><ul>{links}</ul>",
        encoding="utf-8",
    )
