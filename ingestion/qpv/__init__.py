"""Priority neighbourhoods of city policy (QPV), 2015 and 2024 generations."""

from ingestion.qpv.combine import QPV_TABLE_COLUMNS, combine_qpv_loads
from ingestion.qpv.reader import QPV_COLUMNS, QpvFile, read_qpv_file
from ingestion.qpv.snapshot import EMBEDDED_LOAD_ID, load_qpv_snapshot

__all__ = [
    "EMBEDDED_LOAD_ID",
    "QPV_COLUMNS",
    "QPV_TABLE_COLUMNS",
    "QpvFile",
    "combine_qpv_loads",
    "load_qpv_snapshot",
    "read_qpv_file",
]
