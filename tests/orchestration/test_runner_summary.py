"""A run whose publish step was skipped is a failure to the user, not a success."""

import dagster as dg

from orchestration.runner import _summarise


@dg.multi_asset(
    outs={
        "built": dg.AssetOut(key=["marts", "built"], is_required=False),
        "lost": dg.AssetOut(key=["marts", "lost"], is_required=False),
    },
    can_subset=True,
)
def models():
    """Builds both, but one output never reaches Dagster (as a dbt result line it cannot read)."""
    yield dg.Output(None, output_name="built")


@dg.asset(key=["publish", "serving_db"], deps=[dg.AssetKey(["marts", "built"]), dg.AssetKey(["marts", "lost"])])
def serving_db():
    """Stands for the publish step."""


@dg.asset(key=["marts", "other"])
def other():
    """A step that does not feed the publish."""


def test_a_skipped_publish_fails_the_run_with_one_line():
    result = dg.materialize([models, serving_db], raise_on_error=False)
    assert result.success  # Dagster's view: nothing failed, the publish was skipped

    summary = _summarise(result)

    assert not summary.success
    assert summary.published is None
    assert summary.steps_skipped == ["publish__serving_db"]
    assert summary.failure.startswith("not published: 1 step skipped, first publish__serving_db")


def test_a_run_that_publishes_stays_a_success():
    result = dg.materialize([other], raise_on_error=False)

    summary = _summarise(result)

    assert summary.success and summary.failure is None and summary.steps_skipped == []
