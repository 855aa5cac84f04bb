"""Build the embedded DITP barometer figures (IND-323 acts, IND-246 satisfaction) the demo matches.

Usage::

    python scripts/build_ditp_snapshot.py ../shared/real-data/barometre/ditp/ind-323_2024-10-17.csv \
        ../shared/real-data/barometre/ditp/ind-246_2024-10-17.csv

Give the newest export of each indicator: its values are the current publication (a newer
export revises and drops earlier values, such as the 2023 exports' yearly targets). Reads them
with the project's own DITP reader (so the rows are what `fsw ingest barometer` of those files
would load) and writes ``ingestion/reference/ditp_barometer.csv``: one row per indicator ×
territory × month × measure (initial, current, target). See ingestion/reference/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ingestion.barometer.ditp import read_ditp_export
from ingestion.demo.published import SNAPSHOT_COLUMNS, SNAPSHOT_FILE

OUT = Path(__file__).resolve().parents[1] / "ingestion" / "reference" / SNAPSHOT_FILE
MEASURES = ("initial", "current", "target")


def main(paths: list[str]) -> None:
    frames = []
    for path in paths:
        export = read_ditp_export(Path(path))
        if not export.rejects.empty:
            raise SystemExit(f"{path}: rejected rows: {export.rejects.head().to_dict('records')}")
        frames.append(export.rows)
    rows = pd.concat(frames)
    rows = rows[rows["indicator"].notna() & rows["measure"].isin(MEASURES)]
    if rows.duplicated(["indicator", "territory_level", "territory_code", "month_start", "measure"]).any():
        raise SystemExit("two files give the same indicator: give the newest export of each indicator once")
    rows = rows.assign(month_start=rows["month_start"].dt.strftime("%Y-%m-%d"), value=rows["value"].round(2))
    level_order = {"national": 0, "region": 1, "department": 2}
    rows = rows.sort_values(
        ["indicator", "territory_level", "territory_code", "month_start", "measure"],
        key=lambda col: col.map(level_order) if col.name == "territory_level" else col,
    )
    rows[SNAPSHOT_COLUMNS].to_csv(OUT, index=False, float_format="%.2f", lineterminator="\n")
    print(f"wrote {len(rows)} values ({rows['indicator'].nunique()} indicators) to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
