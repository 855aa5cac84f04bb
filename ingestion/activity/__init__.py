"""Local activity exports: requests by site, day or month, partner, theme and channel."""

from ingestion.activity.partners import PARTNERS, partner_code
from ingestion.activity.reader import read_activity
from ingestion.activity.result import ReadResult

__all__ = ["PARTNERS", "ReadResult", "partner_code", "read_activity"]
