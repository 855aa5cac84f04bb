"""The demo's published volumes: the embedded DITP figures and how a month's target is found."""

import numpy as np
import pandas as pd

from ingestion.demo.published import (
    acts_by_department,
    department_shares,
    load_published,
    published_series,
    satisfaction_rates,
)
from ingestion.demo.volumes import draw_activity, draw_answers, split_total


def _value(level, code, month, indicator="monthly_acts", measure="current"):
    rows = load_published()
    picked = rows[
        (rows["indicator"] == indicator)
        & (rows["territory_level"] == level)
        & (rows["territory_code"] == code)
        & (rows["month_start"] == month)
        & (rows["measure"] == measure)
    ]
    return picked["value"].item()


def test_the_snapshot_holds_the_published_figures():
    assert _value("department", "11", "2024-07-01") == 9722
    assert _value("national", "FR", "2024-07-01") == 935377
    assert _value("national", "FR", "2022-05-01", measure="initial") == 510034
    assert _value("national", "FR", "2026-12-01", measure="target") == 1053711.89
    assert _value("department", "11", "2024-07-01", indicator="satisfaction_rate") == 98.6
    departments = load_published().query("territory_level == 'department' and indicator == 'monthly_acts'")
    assert departments["territory_code"].nunique() == 101


def test_a_published_month_is_the_published_acts():
    acts = acts_by_department(pd.period_range("2024-07", "2024-07", freq="M"))
    assert acts.at["11", pd.Period("2024-07")] == 9722
    assert acts[pd.Period("2024-07")].sum() == 935377


def test_months_between_two_points_are_interpolated_and_later_months_grow_toward_the_target():
    published = pd.DataFrame(
        {
            "indicator": "monthly_acts",
            "territory_level": "department",
            "territory_code": "99",
            "month_start": pd.to_datetime(["2024-01-01", "2024-04-01", "2026-12-01"]),
            "measure": ["current", "current", "target"],
            "value": [100.0, 400.0, 700.0],
        }
    )
    months = pd.period_range("2023-11", "2027-01", freq="M")
    series = published_series(published, "monthly_acts", "department", months).loc["99"]
    assert series[pd.Period("2023-11")] == 100  # before the first point: the first point
    assert list(series[pd.Period("2024-01") : pd.Period("2024-04")]) == [100, 200, 300, 400]
    assert series[pd.Period("2025-08")] == 400 + 300 * 16 / 32
    assert series[pd.Period("2026-12")] == series[pd.Period("2027-01")] == 700


def test_a_site_months_requests_add_up_to_its_total():
    rng = np.random.default_rng(0)
    totals = np.asarray([0, 1, 5, 3000, 12])
    parts = np.asarray([0, 1, 3, 40, 12])
    pieces = split_total(totals, parts, rng)
    assert (pieces >= 1).all() and len(pieces) == parts.sum()
    assert np.add.reduceat(pieces, np.r_[0, np.cumsum(parts)[:-1]][parts > 0]).tolist() == [1, 5, 3000, 12]
    activity = draw_activity(np.asarray([0.5, 1.0, 2.0]), pd.Timestamp("2024-07-01").date(), rng, totals[2:])
    assert np.bincount(activity.site, weights=activity.requests).tolist() == [5, 3000, 12]


def test_satisfied_shares_follow_the_barometer_and_the_national_figure():
    rates, national = satisfaction_rates(pd.period_range("2024-02", "2024-02", freq="M"))
    month = pd.Period("2024-02")
    weights = pd.Series(1.0, index=rates.index)
    shares = department_shares(rates, national, month, weights)
    assert abs(shares.mean() * 100 - 96.5) < 0.01  # the national IND-246 of February 2024
    answers = draw_answers(
        200, pd.Timestamp("2024-02-01").date(), np.random.default_rng(1), np.arange(200) % 2, [0.9, 0.5]
    )
    group = (answers.site % 2).astype(int)
    for g, share in ((0, 0.9), (1, 0.5)):
        satisfied = (answers.score[group == g] >= 4).sum()
        assert satisfied == round(share * (group == g).sum())
