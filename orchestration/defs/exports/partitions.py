"""Monthly partitions of the local exports (activity, satisfaction), in Paris time."""

import dagster as dg

MONTHLY = dg.MonthlyPartitionsDefinition(start_date="2020-01-01", timezone="Europe/Paris", end_offset=1)
"""One partition per calendar month from January 2020 (the network's start) to the current one."""


RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
PARTITION = "dagster/partition"
"""Run tags Dagster reads for a partition range (single-run backfill) or a single partition."""


def month_keys(first: str, last: str) -> list[str]:
    """Partition keys (``YYYY-MM-01``) from ``first`` to ``last`` inclusive."""
    keys = MONTHLY.get_partition_keys()
    return [key for key in keys if first <= key <= last]
