"""The embedded 2024 QPV list (see ingestion/reference/README.md): real, maybe not the newest."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from ingestion.insee.codes import department_of
from ingestion.qpv.reader import QPV_COLUMNS

SNAPSHOT_FILE = "qpv2024.parquet"
EMBEDDED_LOAD_ID = "embedded"
"""The load id of the embedded list's rows in ``raw.qpv``: older than any loaded file."""
SNAPSHOT_COLUMNS = ["generation", "qpv_code", "qpv_name", "commune_code", "commune_name", "latitude", "longitude"]


def load_qpv_snapshot() -> pd.DataFrame:
    """The embedded list as rows of ``read_qpv_file`` (one per QPV × commune, the commune's QPV point)."""
    with resources.files("ingestion.reference").joinpath(SNAPSHOT_FILE).open("rb") as handle:
        snapshot = pd.read_parquet(handle)
    rows = snapshot[SNAPSHOT_COLUMNS].copy()
    rows["source_row"] = range(1, len(rows) + 1)
    rows["department_code"] = rows["commune_code"].map(department_of)
    rows["population"] = pd.Series([None] * len(rows), dtype="Int64")
    rows["point_source"] = "file"
    rows["wkt"] = None
    rows["extra"] = None
    rows["latitude"] = rows["latitude"].astype("Float64")
    rows["longitude"] = rows["longitude"].astype("Float64")
    return rows[QPV_COLUMNS]
