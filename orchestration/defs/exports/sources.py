"""What differs between the two local export sources (activity, satisfaction)."""

from collections.abc import Callable
from dataclasses import dataclass

from ingestion.activity import read_activity
from ingestion.satisfaction import read_satisfaction


@dataclass(frozen=True)
class ExportSource:
    """One periodic export source: its reader, date column, raw tables and GX suite."""

    name: str
    reader: Callable
    date_column: str
    description: str

    @property
    def rows_table(self) -> str:
        return f"{self.name}_rows"

    @property
    def suite(self) -> str:
        return f"raw_{self.name}"


ACTIVITY = ExportSource(
    name="activity",
    reader=read_activity,
    date_column="activity_date",
    description="requests by site, day (or month), partner, theme and channel",
)
SATISFACTION = ExportSource(
    name="satisfaction",
    reader=read_satisfaction,
    date_column="response_date",
    description="one row per satisfaction-survey answer",
)
EXPORT_SOURCES = (ACTIVITY, SATISFACTION)
