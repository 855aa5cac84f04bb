"""Turn a GX suite run into a Dagster asset check result (shared by every source's gate)."""

import dagster as dg
import pandas as pd

from orchestration.config import Settings


def gate(suite: str, frame: pd.DataFrame, settings: Settings, **params) -> dg.AssetCheckResult:
    """Run ``suite`` on ``frame``; the result names each failed expectation and sample rows.

    The validation result JSON is kept under ``FSW_HOME/docs/gx/`` (our Data Docs).
    """
    from expectations.runner import run_suite

    outcome = run_suite(suite, frame, docs_dir=settings.docs / "gx", **params)
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=outcome.summary(),
        metadata={
            "rows_validated": len(frame),
            "expectations": outcome.evaluated,
            "failed_expectations": dg.MetadataValue.json(outcome.failures),
        },
    )
