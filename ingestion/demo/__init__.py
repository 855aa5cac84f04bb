"""Made-up national data at realistic volumes: a site listing and monthly local exports."""

from ingestion.demo.exports import write_demo_exports
from ingestion.demo.listing import write_demo_listing

__all__ = ["write_demo_exports", "write_demo_listing"]
