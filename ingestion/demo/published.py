"""The State's published France Services figures the demo matches (DITP barometer, embedded).

``ingestion/reference/ditp_barometer.csv`` holds the barometer's IND-323 (acts a month) and
IND-246 (satisfied users, %) for every department, region and the nation: the current values,
the initial value and the 2026-12 target (see ingestion/reference/README.md). From them the demo
takes, for any department and month, the figure it should show:

- a published month: the published value;
- between two published points: linear interpolation;
- after the last point: linear growth toward the target, then the target;
- before the first point: the first point's value (the earliest published figure, May 2022 for
  the acts, is the first the demo can be true to; nothing published says how it grew before).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

SNAPSHOT_FILE = "ditp_barometer.csv"
SNAPSHOT_COLUMNS = ["indicator", "territory_level", "territory_code", "month_start", "measure", "value"]
NATIONAL = "FR"


@cache
def load_published() -> pd.DataFrame:
    """The embedded barometer values, one row per indicator × territory × month × measure."""
    with resources.files("ingestion.reference").joinpath(SNAPSHOT_FILE).open("rb") as handle:
        frame = pd.read_csv(handle, dtype={"territory_code": str}, parse_dates=["month_start"])
    return frame[SNAPSHOT_COLUMNS]


def _ordinal(months) -> np.ndarray:
    periods = pd.PeriodIndex(pd.to_datetime(pd.Series(months)).dt.to_period("M"))
    return (periods.year * 12 + periods.month - 1).to_numpy(dtype=float)


def published_series(published: pd.DataFrame, indicator: str, level: str, months: pd.PeriodIndex) -> pd.DataFrame:
    """Per territory of ``level`` (rows) and month of ``months`` (columns) the figure the demo shows.

    The points are the initial and current values; the target extends the series past the last
    point (see the module docstring). Territories with no point are left out.
    """
    rows = published[(published["indicator"] == indicator) & (published["territory_level"] == level)]
    targets = rows[rows["measure"] == "target"].set_index("territory_code")
    points = rows[rows["measure"].isin(["initial", "current"])]
    # the 2024 IND-246 export gives 0.0 as its initial value: not a rate anyone measured
    points = points[(points["measure"] == "current") | (points["value"] > 0)]
    wanted = _ordinal(months.to_timestamp())
    series = {}
    for code, group in points.groupby("territory_code"):
        group = group.sort_values(["month_start", "measure"]).drop_duplicates("month_start", keep="last")
        x, y = _ordinal(group["month_start"]), group["value"].to_numpy(dtype=float)
        if code in targets.index:
            target = targets.loc[[code]].sort_values("month_start").iloc[-1]
            target_x = _ordinal([target["month_start"]])[0]
            if target_x > x[-1]:
                x, y = np.r_[x, target_x], np.r_[y, float(target["value"])]
        series[code] = np.interp(wanted, x, y)
    return pd.DataFrame.from_dict(series, orient="index", columns=months)


def acts_by_department(months: pd.PeriodIndex) -> pd.DataFrame:
    """Acts a month (IND-323) per department code × month, as whole numbers."""
    return published_series(load_published(), "monthly_acts", "department", months).round().astype("int64")


def satisfaction_rates(months: pd.PeriodIndex) -> tuple[pd.DataFrame, pd.Series]:
    """Satisfied share in % (IND-246): per department code × month, and the national series."""
    published = load_published()
    departments = published_series(published, "satisfaction_rate", "department", months)
    national = published_series(published, "satisfaction_rate", "national", months).loc[NATIONAL]
    return departments, national


def department_shares(rates: pd.DataFrame, national: pd.Series, month: pd.Period, weights: pd.Series) -> pd.Series:
    """The satisfied share (0–1) each department of ``weights`` gets in ``month``.

    A department's own rate where the barometer gives one, else the national one; then all
    shifted by one amount so that, weighted by ``weights`` (answers per department), the national
    share is the national IND-246: the barometer's national rate is not the mean of its
    departments' (96.5 against 95.0 in February 2024), and the national figure is the one read.
    """
    own = rates[month].reindex(weights.index) if month in rates.columns else pd.Series(np.nan, index=weights.index)
    share = own.fillna(national[month]).to_numpy(dtype=float)
    w = weights.to_numpy(dtype=float)
    for _ in range(10):  # the clip at 100 % moves the mean a little: a few rounds settle it
        if w.sum() <= 0:
            break
        share = np.clip(share + national[month] - (share * w).sum() / w.sum(), 0.0, 100.0)
    return pd.Series(share / 100.0, index=weights.index)
