"""Outreach places: where a bus stops or a permanence is held, and when (weekly sessions)."""

from ingestion.outreach.opening_hours import UnreadableHours, WeeklySchedule, parse_opening_hours
from ingestion.outreach.reader import PLACE_COLUMNS, SESSION_COLUMNS, OutreachFile, read_outreach_places

__all__ = [
    "PLACE_COLUMNS",
    "SESSION_COLUMNS",
    "OutreachFile",
    "UnreadableHours",
    "WeeklySchedule",
    "parse_opening_hours",
    "read_outreach_places",
]
