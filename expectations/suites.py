"""The GX suites, as small builders: one per raw table. Reviewed like code.

Each builder returns ``(frame_to_validate, expectations)``: some rules (a point inside France)
are computed into a helper column first, because GX has no polygon test without Spark/SQL.
"""

from __future__ import annotations

import pandas as pd

from ingestion.geo import inside_france
from ingestion.insee.snapshot import load_departments

COMMUNE_CODE_REGEX = r"^(\d{5}|2[AB]\d{3})$"


def raw_insee_communes(frame: pd.DataFrame, **_params):
    """Suite for ``raw.insee_communes``: codes well formed and unique, populations ≥ 0,
    centroids inside France or an overseas department, every department known."""
    import great_expectations.expectations as gxe

    known_departments = sorted(load_departments()["department_code"])
    data = frame.assign(
        centroid_inside_france=inside_france(frame["latitude"], frame["longitude"])
        | frame["latitude"].isna()
    )
    expectations = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="commune_code"),
        gxe.ExpectColumnValuesToMatchRegex(column="commune_code", regex=COMMUNE_CODE_REGEX),
        gxe.ExpectColumnValuesToBeUnique(column="commune_code"),
        gxe.ExpectColumnValuesToBeBetween(column="population", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="centroid_inside_france", value_set=[True]),
        # A handful of communes merged after the snapshot have no centroid (8 of 34,964).
        gxe.ExpectColumnValuesToNotBeNull(column="latitude", mostly=0.995),
        gxe.ExpectColumnValuesToBeInSet(column="department_code", value_set=known_departments),
        gxe.ExpectColumnValuesToBeInSet(column="commune_type", value_set=["COM", "ARM"]),
    ]
    return data, expectations


def raw_site_listing(frame: pd.DataFrame, *, previous_count: int | None = None, allow_drop: bool = False, **_params):
    """Suite for the newest release of ``raw.site_listing``: site_id unique within the release,
    coordinates inside France or an overseas department (missing ones are allowed: real sites
    are listed so), department consistent with the commune code, and no drop of more than 20%
    of sites against the previous release unless the user allowed it (``--allow-drop``)."""
    import math

    import great_expectations.expectations as gxe

    commune = frame["commune_code"].fillna("")
    expected_department = commune.where(~commune.str.startswith("97"), commune.str[:3]).where(
        commune.str.startswith("97"), commune.str[:2]
    )
    data = frame.assign(
        position_inside_france=inside_france(frame["latitude"], frame["longitude"]) | frame["latitude"].isna(),
        department_matches_commune=(commune == "") | (frame["department_code"] == expected_department),
    )
    expectations = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="site_id"),
        gxe.ExpectColumnValuesToBeUnique(column="site_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="site_name"),
        gxe.ExpectColumnValuesToBeInSet(column="position_inside_france", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="department_matches_commune", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="site_type", value_set=["main", "antenna"]),
        gxe.ExpectColumnValuesToBeInSet(column="site_format", value_set=["fixed", "multisite", "bus", "itinerant"]),
    ]
    if previous_count and not allow_drop:
        expectations.append(gxe.ExpectTableRowCountToBeBetween(min_value=math.ceil(previous_count * 0.8)))
    return data, expectations


MAX_REJECTED_SHARE = 0.5
"""A file with more than half of its rows rejected is corrupted (shifted columns, wrong file)."""


def _export_common(frame: pd.DataFrame, reject_share: dict | None):
    import great_expectations.expectations as gxe

    shares = frame["load_id"].map(reject_share or {}).fillna(0.0).astype(float)
    data = frame.assign(load_rejected_share=shares)
    expectations = [
        gxe.ExpectColumnValuesToNotBeNull(column="site_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="month"),
        gxe.ExpectColumnValuesToBeBetween(column="load_rejected_share", max_value=MAX_REJECTED_SHARE),
    ]
    return data, expectations


def raw_activity(frame: pd.DataFrame, *, reject_share: dict | None = None, **_params):
    """Suite for ``raw.activity`` (the partitions of one run): site and month present, counts
    ≥ 0, resolved ≤ requests, partner codes known, and no load with more than half of its rows
    rejected (a corrupted file)."""
    import great_expectations.expectations as gxe

    from ingestion.activity import PARTNERS

    data, expectations = _export_common(frame, reject_share)
    resolved = data["resolved_first_visit"]
    data = data.assign(resolved_within_requests=resolved.isna() | (resolved <= data["requests"]))
    expectations += [
        gxe.ExpectColumnValuesToBeBetween(column="requests", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="resolved_within_requests", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="partner_code", value_set=sorted(PARTNERS)),
    ]
    return data, expectations


def raw_satisfaction(frame: pd.DataFrame, *, reject_share: dict | None = None, **_params):
    """Suite for ``raw.satisfaction``: site and month present, scores 1–5, satisfied consistent
    with the score, and no load with more than half of its rows rejected."""
    import great_expectations.expectations as gxe

    data, expectations = _export_common(frame, reject_share)
    data = data.assign(satisfied_matches_score=data["satisfied"] == (data["satisfaction_score"] >= 4))
    expectations += [
        gxe.ExpectColumnValuesToBeBetween(column="satisfaction_score", min_value=1, max_value=5),
        gxe.ExpectColumnValuesToBeInSet(column="satisfied_matches_score", value_set=[True]),
    ]
    return data, expectations


SUITES = {
    "raw_activity": raw_activity,
    "raw_satisfaction": raw_satisfaction,
    "raw_insee_communes": raw_insee_communes,
    "raw_site_listing": raw_site_listing,
}
