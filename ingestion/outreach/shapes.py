"""Turning an outreach file into its shape and numbered records, recognised from its content.

Two shapes, told apart by their field names (never the file name): the national schema of
*lieux de médiation numérique* (JSON list of objects, a GeoJSON FeatureCollection of them, or
the same fields as CSV) and the template for local teams (CSV, ``;``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ingestion.errors import InputError
from ingestion.textfiles import decode_text, normalise_label, read_csv_dicts

LIEUX_JSON, LIEUX_CSV, TEMPLATE = "lieux_mediation_json", "lieux_mediation_csv", "template"
SHAPES = (LIEUX_JSON, LIEUX_CSV, TEMPLATE)

LIEUX_FIELDS = (
    "id",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "latitude",
    "longitude",
    "horaires",
    "ouverture",
    "structure_parente",
    "labels_nationaux",
)
LIEUX_REQUIRED = ("nom", "code_insee", "horaires")
TEMPLATE_FIELDS = (
    "site_id",
    "place_name",
    "commune_code",
    "latitude",
    "longitude",
    "opening_hours",
    "weeks",
    "valid_from",
    "valid_to",
)
TEMPLATE_REQUIRED = ("place_name", "commune_code", "opening_hours", "weeks", "valid_from")
# Names that only one shape uses: they decide which shape a file is.
_LIEUX_MARKS = {"nom", "code_insee", "horaires", "ouverture", "structure_parente", "code_postal"}
_TEMPLATE_MARKS = {"place_name", "commune_code", "opening_hours", "weeks", "valid_from", "valid_to"}


@dataclass
class OutreachRecords:
    """A file's records as read: ``records`` maps each file key to its value; ``rows`` gives the
    row each record is reported under (a CSV's line, an object's position in a JSON list)."""

    shape: str
    records: list[dict[str, object]]
    rows: list[int]
    keys: list[str]


def read_outreach_records(path: str | Path) -> OutreachRecords:
    """Read the records of an outreach file and recognise its shape from its field names.

    Raises ``InputError`` for an unreadable, empty or truncated file, one whose fields are
    neither shape's, or one missing a required field of its shape.
    """
    path = Path(path)
    try:
        text = decode_text(path)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or type(exc).__name__})", file=path) from None
    if text.lstrip().startswith(("[", "{")):
        records, rows = _json_records(text, path)
        keys = list(dict.fromkeys(key for record in records for key in record))
        shape = _shape_of(keys, path, json_file=True)
    else:
        records, rows, keys = read_csv_dicts(path, delimiter_example=', such as "Mo 09:00-12:00; PH off",')
        shape = _shape_of(keys, path, json_file=False)
    return OutreachRecords(shape, records, rows, keys)


def field_keys(keys: list[str]) -> dict[str, str]:
    """Canonical field name → the file's own key, matched without case, accents or punctuation."""
    found: dict[str, str] = {}
    for key in keys:
        name = normalise_label(key).replace(" ", "_")
        found.setdefault(name, key)
    return found


def _shape_of(keys: list[str], path: Path, *, json_file: bool) -> str:
    names = set(field_keys(keys))
    lieux, template = len(names & _LIEUX_MARKS), len(names & _TEMPLATE_MARKS)
    if not lieux and not template:
        raise InputError(
            "not an outreach file: expected the lieux de médiation numérique fields (nom, code_insee, "
            "horaires…) or the template header site_id;place_name;commune_code;latitude;longitude;"
            "opening_hours;weeks;valid_from;valid_to",
            file=path,
        )
    shape, required = (TEMPLATE, TEMPLATE_REQUIRED) if template > lieux else (LIEUX_CSV, LIEUX_REQUIRED)
    if json_file and shape == LIEUX_CSV:
        shape = LIEUX_JSON
    missing = [name for name in required if name not in names]
    if missing:
        what = "template" if shape == TEMPLATE else "lieux de médiation numérique"
        raise InputError(
            f"missing required column {', '.join(repr(m) for m in missing)} ({what} shape)",
            file=path,
            column=missing[0],
        )
    return shape


def _json_records(text: str, path: Path) -> tuple[list[dict], list[int]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid or truncated JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=path
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"unreadable JSON ({type(exc).__name__})", file=path) from None
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        items = document.get("features")
        if not isinstance(items, list):
            raise InputError("a FeatureCollection without a 'features' list", file=path)
        items = [_feature_properties(feature, number, path) for number, feature in enumerate(items, start=1)]
    elif isinstance(document, list):
        items = document
    else:
        raise InputError("expected a JSON list of places (or a GeoJSON FeatureCollection)", file=path)
    if not items:
        raise InputError("no data rows (an empty list of places)", file=path)
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(f"expected an object per place, found {type(item).__name__}", file=path, row=number)
    try:
        json.dumps(items, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("text with an invalid \\u escape (lone surrogate)", file=path) from None
    return items, list(range(1, len(items) + 1))


def _feature_properties(feature: object, number: int, path: Path) -> dict:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        raise InputError("feature without a 'properties' object", file=path, row=number)
    geometry = feature.get("geometry")
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        coordinates = geometry.get("coordinates")
        if isinstance(coordinates, list) and len(coordinates) >= 2:
            # The properties' own latitude/longitude win; the point fills them when absent.
            properties = dict(properties)
            for name, value in (("longitude", coordinates[0]), ("latitude", coordinates[1])):
                if properties.get(name) in (None, ""):
                    properties[name] = value
    return properties
