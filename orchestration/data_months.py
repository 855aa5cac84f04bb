"""Which months hold data, per fact: what `fsw status` says and why a mart month is null.

A mart month without any row of a fact (nationally) has no data for it: null, not 0
(`mart_territory_monthly`). This reads the same facts the marts do.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import duckdb

# fact name -> (table, month column) in the marts
FACT_MONTHS = {
    "activity": ("fct_demand", "month_start"),
    "satisfaction": ("fct_satisfaction", "month_start"),
    "coverage": ("fct_coverage", "month_end"),
}


class DataMonths(NamedTuple):
    """The months a fact holds: the first and last (as first days of month) and how many."""

    first_month: date
    last_month: date
    n_months: int

    @property
    def missing(self) -> int:
        """Months between the first and the last that hold no data."""
        span = (self.last_month.year - self.first_month.year) * 12 + self.last_month.month - self.first_month.month
        return span + 1 - self.n_months

    def describe(self) -> str:
        """``12 months, 2025-12 → 2026-11`` (and the months missing in between, if any)."""
        months = f"{self.n_months} month{'s' if self.n_months != 1 else ''}"
        gaps = f", {self.missing} without data in between" if self.missing else ""
        return f"{months}, {self.first_month:%Y-%m} → {self.last_month:%Y-%m}{gaps}"


def months_with_data(con: duckdb.DuckDBPyConnection) -> dict[str, DataMonths | None]:
    """For activity, satisfaction and coverage: the months their fact table holds, or None.

    ``con`` is a connection to a database with the marts in its default schema: the serving
    file (read-only is fine) or work.duckdb after a build. A fact whose table is missing (no
    build yet) or empty gives None.
    """
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = current_schema() "
            "and database_name = current_database()"
        ).fetchall()
    }
    result: dict[str, DataMonths | None] = {}
    for fact, (table, column) in FACT_MONTHS.items():
        if table not in tables:
            result[fact] = None
            continue
        # identifiers from FACT_MONTHS (code), not from input
        first, last, count = con.execute(
            f"select min(m), max(m), count(*) from "
            f"(select distinct cast(date_trunc('month', {column}) as date) as m from {table})"
        ).fetchone()
        result[fact] = DataMonths(first, last, count) if count else None
    return result
