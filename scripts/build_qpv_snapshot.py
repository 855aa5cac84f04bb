"""Build the embedded 2024 QPV list from the ANCT's points-per-commune GeoJSON.

Usage::

    python scripts/build_qpv_snapshot.py ../shared/real-data/qpv/qpv2024_points_par_commune.geojson

Reads the file with the project's own QPV reader (so the embedded rows are what `fsw ingest
qpv` of that file would load) and writes ``ingestion/reference/qpv2024.parquet``: one row per
QPV × commune, with the commune's QPV point. See ingestion/reference/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.insee.snapshot import load_reference_snapshot
from ingestion.qpv.reader import read_qpv_file
from ingestion.qpv.snapshot import SNAPSHOT_COLUMNS, SNAPSHOT_FILE

OUT = Path(__file__).resolve().parents[1] / "ingestion" / "reference" / SNAPSHOT_FILE


def main(path: str) -> None:
    communes = load_reference_snapshot()
    read = read_qpv_file(path, communes[communes["commune_type"].isin(["COM", "ARM"])])
    if not read.rejects.empty:
        raise SystemExit(f"the file has rejected rows: {read.rejects.head().to_dict('records')}")
    rows = read.rows[read.rows["generation"] == 2024][SNAPSHOT_COLUMNS].sort_values(["commune_code", "qpv_code"])
    table = pa.Table.from_pandas(rows.astype({"latitude": "float64", "longitude": "float64"}), preserve_index=False)
    pq.write_table(table, OUT, compression="zstd", compression_level=19)
    print(f"wrote {len(rows)} QPV × commune rows ({rows['qpv_code'].nunique()} QPVs) to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
