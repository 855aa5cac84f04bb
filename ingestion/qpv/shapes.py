"""Turning a QPV file (GeoJSON or CSV) into numbered records and their geometries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ingestion.errors import InputError
from ingestion.textfiles import decode_text, normalise_label, read_csv_dicts

# Canonical field → the labels seen for it, in order of preference (matched without case,
# accents or punctuation). `commune_qp` before `nom_commune`: the 2015 outlines name the
# commune of `code_commune` there and list every commune of the QPV in `nom_commune`.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "qpv_code": ("code_qp", "code_qpv", "code_quartier", "qp", "cod_qp"),
    "qpv_name": ("nom_qp", "lib_qp", "libelle_qp", "nom_qpv", "lib_qpv", "nom_quartier"),
    "commune_code": ("insee_com", "code_commune", "code_insee", "depcom", "codgeo", "code_com"),
    "commune_name": ("lib_com", "commune_qp", "nom_commune", "libelle_commune", "commune", "nom_com"),
    "population": ("pop_mun", "population", "pop_qp", "population_municipale", "popmun"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
}


@dataclass
class QpvRecords:
    """Cells as read: ``records`` (file key → value), their ``rows`` (a CSV's line, a feature's
    position), ``geometries`` (GeoJSON only) and ``fields`` (canonical field → file key)."""

    kind: str  # "geojson" or "csv"
    records: list[dict[str, object]]
    rows: list[int]
    geometries: list[object] | None
    fields: dict[str, str]
    keys: list[str]


def read_qpv_records(path: str | Path) -> QpvRecords:
    """Read a QPV file, recognised from its content. Raises ``InputError`` for an unreadable,
    empty or truncated file and for one without a QPV code column."""
    path = Path(path)
    try:
        text = decode_text(path)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or type(exc).__name__})", file=path) from None
    if text.lstrip().startswith(("{", "[")):
        records, rows, geometries = _geojson(text, path)
        kind = "geojson"
        keys = list(dict.fromkeys(key for record in records for key in record))
    else:
        records, rows, keys = read_csv_dicts(path)
        geometries, kind = None, "csv"
    fields = _fields(keys)
    if "qpv_code" not in fields:
        raise InputError(
            "no QPV code column (expected code_qp): each neighbourhood must be named by its code "
            "(QP… for 2015, QN… for 2024)",
            file=path,
            column="code_qp",
        )
    return QpvRecords(kind, records, rows, geometries, fields, keys)


def _fields(keys: list[str]) -> dict[str, str]:
    by_label = {}
    for key in keys:
        by_label.setdefault(normalise_label(key), key)
    fields = {}
    for field, labels in SYNONYMS.items():
        for label in labels:
            key = by_label.get(normalise_label(label))
            if key is not None and key not in fields.values():
                fields[field] = key
                break
    return fields


def _geojson(text: str, path: Path) -> tuple[list[dict], list[int], list[object]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid or truncated JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=path
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"unreadable JSON ({type(exc).__name__})", file=path) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or document.get("type") != "FeatureCollection":
        raise InputError("expected a GeoJSON FeatureCollection with a 'features' list", file=path)
    if not features:
        raise InputError("no data rows (a FeatureCollection without features)", file=path)
    records, geometries = [], []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            raise InputError("feature without a 'properties' object", file=path, row=number)
        records.append(properties)
        geometries.append(feature.get("geometry"))
    return records, list(range(1, len(records) + 1)), geometries
