"""France Services sites: reading every release of the national listing into one shape."""

from ingestion.sites.hours import ParsedHours, parse_opening_hours
from ingestion.sites.identity import assign_site_ids
from ingestion.sites.reader import CANONICAL_COLUMNS, CATEGORICAL_FIELDS, SiteListing, read_site_listing
from ingestion.sites.validate import validate_sites

__all__ = [
    "CANONICAL_COLUMNS",
    "CATEGORICAL_FIELDS",
    "ParsedHours",
    "SiteListing",
    "assign_site_ids",
    "parse_opening_hours",
    "read_site_listing",
    "validate_sites",
]
