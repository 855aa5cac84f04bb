"""Spotting a spreadsheet fill-down in a monthly series: dates that move by one day per row.

Dragging a date cell down in a spreadsheet turns ``2023-01-01`` into ``2023-01-02``,
``2023-01-03``…: every row then falls in the same month and the series silently collapses.
A monthly indicator never has three figures on three consecutive days, so three or more
consecutive days within one indicator and zone are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MIN_RUN = 3
"""Consecutive days that make a fill-down (a month-end and the next month-start are two)."""


@dataclass(frozen=True)
class FillDown:
    """Where a fill-down was found: the series, its rows and the dates they hold."""

    indicator_id: str
    zone_id: str
    rows: list[int]
    dates: list[date]

    def describe(self) -> str:
        """One line naming the series, its rows and the first dates."""
        shown = ", ".join(day.isoformat() for day in self.dates[:3])
        return (
            f"indicator {self.indicator_id}, zone {self.zone_id}, rows {_row_span(self.rows)}: the dates move by "
            f"one day per row ({shown} …), a spreadsheet fill-down, not monthly figures: the file is refused"
        )


def _row_span(rows: list[int]) -> str:
    if rows == list(range(rows[0], rows[0] + len(rows))):
        return f"{rows[0]}–{rows[-1]}"
    listed = ", ".join(str(row) for row in rows[:6])
    return listed + (" …" if len(rows) > 6 else "")


def find_fill_down(series: dict[tuple[str, str], list[tuple[int, date]]]) -> FillDown | None:
    """The first fill-down among ``series`` ((indicator, zone) → [(row, date)…]), or None.

    Within a series the distinct dates are sorted; a run of ``MIN_RUN`` or more dates each one
    day after the previous is a fill-down, whatever the order of its rows in the file.
    """
    for (indicator_id, zone_id), dated in series.items():
        days = sorted({day for _, day in dated})
        start = 0
        for index in range(1, len(days) + 1):
            if index < len(days) and days[index] - days[index - 1] == timedelta(days=1):
                continue
            if index - start >= MIN_RUN:
                run = set(days[start:index])
                rows = sorted(row for row, day in dated if day in run)
                return FillDown(indicator_id, zone_id, rows, days[start:index])
            start = index
    return None
