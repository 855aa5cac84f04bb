"""The GX suites, as small builders: one per raw table. Reviewed like code.

Each builder returns ``(frame_to_validate, expectations)``: some rules (a point inside France)
are computed into a helper column first, because GX has no polygon test without Spark/SQL.
"""

from __future__ import annotations

import pandas as pd

from ingestion.geo import inside_france
from ingestion.insee.snapshot import load_departments
from ingestion.qpv.codes import QPV_CODE_REGEX, generation_of

COMMUNE_CODE_REGEX = r"^(\d{5}|2[AB]\d{3})$"


def raw_insee_communes(frame: pd.DataFrame, **_params):
    """Suite for ``raw.insee_communes``: codes well formed and unique, populations ≥ 0,
    centroids inside France or an overseas department, every department known."""
    import great_expectations.expectations as gxe

    known_departments = sorted(load_departments()["department_code"])
    data = frame.assign(
        centroid_inside_france=inside_france(frame["latitude"], frame["longitude"]) | frame["latitude"].isna()
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


MIN_KEPT_SHARE = 0.8
"""A release keeps at least 80 % of the previous release's sites unless ``--allow-drop``."""


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
        expectations.append(gxe.ExpectTableRowCountToBeBetween(min_value=math.ceil(previous_count * MIN_KEPT_SHARE)))
    return data, expectations


MAX_REJECTED_SHARE = 0.5
"""A file with more than half of its rows rejected is corrupted (shifted columns, wrong file)."""


EXPORT_PROFILE_SQL = {
    "activity": """
        select load_id, month, count(*) as rows,
               count(*) filter (where site_id is null) as rows_without_site,
               count(*) filter (where requests < 0) as rows_with_negative_requests,
               count(*) filter (where resolved_first_visit > requests) as rows_resolved_over_requests,
               count(*) filter (where not list_contains(?, partner_code)) as rows_with_unknown_partner
        from raw.activity {where} group by load_id, month""",
    "satisfaction": """
        select load_id, month, count(*) as rows,
               count(*) filter (where site_id is null) as rows_without_site,
               count(*) filter (where satisfaction_score not between 1 and 5) as rows_with_score_out_of_range,
               count(*) filter (where satisfied is distinct from (satisfaction_score >= 4)) as rows_satisfied_inconsistent
        from raw.satisfaction {where} group by load_id, month""",
}
"""The exports are validated through a profile per load × month computed by DuckDB, not 14 M
rows copied into pandas: the same rules, a few thousand rows to validate."""


def _export_suite(frame: pd.DataFrame, reject_share: dict | None, zero_columns: list[str]):
    import great_expectations.expectations as gxe

    shares = frame["load_id"].map(reject_share or {}).fillna(0.0).astype(float)
    data = frame.assign(load_rejected_share=shares)
    expectations = [
        gxe.ExpectColumnValuesToNotBeNull(column="month"),
        gxe.ExpectColumnValuesToBeBetween(column="rows", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="load_rejected_share", max_value=MAX_REJECTED_SHARE),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, max_value=0) for column in zero_columns),
    ]
    return data, expectations


def raw_activity(frame: pd.DataFrame, *, reject_share: dict | None = None, **_params):
    """Suite for ``raw.activity`` (the partitions of one run), on its profile per load × month:
    every row has a site, counts ≥ 0, resolved ≤ requests, partner codes known, and no load with
    more than half of its rows rejected (a corrupted file)."""
    return _export_suite(
        frame,
        reject_share,
        [
            "rows_without_site",
            "rows_with_negative_requests",
            "rows_resolved_over_requests",
            "rows_with_unknown_partner",
        ],
    )


def raw_satisfaction(frame: pd.DataFrame, *, reject_share: dict | None = None, **_params):
    """Suite for ``raw.satisfaction`` on its profile per load × month: sites present, scores 1–5,
    satisfied consistent with the score, and no load with more than half of its rows rejected."""
    return _export_suite(
        frame,
        reject_share,
        [
            "rows_without_site",
            "rows_with_score_out_of_range",
            "rows_satisfied_inconsistent",
        ],
    )


def raw_outreach_places(frame: pd.DataFrame, **_params):
    """Suite for ``raw.outreach_places`` (every load): one row per load × source row; place id,
    name, commune code and raw hours present; week parity known; 0–168 hours a week; positions
    inside France (after the 20 km replacement); ``valid_to`` not before ``valid_from``."""
    import great_expectations.expectations as gxe

    data = frame.assign(
        position_inside_france=inside_france(frame["latitude"], frame["longitude"]) | frame["latitude"].isna(),
        validity_in_order=~(frame["valid_to"] < frame["valid_from"]).fillna(False).astype(bool),
    )
    expectations = [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["load_id", "source_row"]),
        *(
            gxe.ExpectColumnValuesToNotBeNull(column=column)
            for column in ("place_id", "place_name", "commune_code", "opening_hours")
        ),
        gxe.ExpectColumnValuesToMatchRegex(column="commune_code", regex=COMMUNE_CODE_REGEX),
        gxe.ExpectColumnValuesToBeInSet(column="weeks", value_set=["all", "odd", "even", "mixed"]),
        gxe.ExpectColumnValuesToBeBetween(column="hours_per_week_avg", min_value=0, max_value=168),
        gxe.ExpectColumnValuesToBeInSet(column="position_inside_france", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="validity_in_order", value_set=[True]),
    ]
    return data, expectations


def raw_outreach_sessions(frame: pd.DataFrame, **_params):
    """Suite for ``raw.outreach_sessions``: weekdays 1–7, a session ends after it starts within
    the day, week parity all/odd/even, one row per place line × weekday × start × parity."""
    import great_expectations.expectations as gxe

    data = frame.assign(ends_after_start=frame["end_minute"] > frame["start_minute"])
    expectations = [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["load_id", "source_row", "weekday", "start_minute", "weeks"]),
        gxe.ExpectColumnValuesToBeBetween(column="weekday", min_value=1, max_value=7),
        gxe.ExpectColumnValuesToBeBetween(column="start_minute", min_value=0, max_value=1439),
        gxe.ExpectColumnValuesToBeBetween(column="end_minute", min_value=1, max_value=1440),
        gxe.ExpectColumnValuesToBeInSet(column="ends_after_start", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="weeks", value_set=["all", "odd", "even"]),
    ]
    return data, expectations


def raw_qpv(frame: pd.DataFrame, **_params):
    """Suite for ``raw.qpv``: codes well formed and of their generation (``QP…`` 2015, ``QN…``
    2024), one row per generation × QPV × commune, commune codes well formed, populations ≥ 0,
    points inside France, ``has_polygon`` exactly where a WKT outline is."""
    import great_expectations.expectations as gxe

    data = frame.assign(
        generation_matches_code=[
            generation_of(str(code)) == g for code, g in zip(frame["qpv_code"], frame["generation"])
        ],
        point_inside_france=inside_france(frame["latitude"], frame["longitude"]) | frame["latitude"].isna(),
        polygon_flag_matches_wkt=frame["has_polygon"] == frame["wkt"].notna(),
    )
    expectations = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["generation", "qpv_code", "commune_code"]),
        gxe.ExpectColumnValuesToBeInSet(column="generation", value_set=[2015, 2024]),
        gxe.ExpectColumnValuesToMatchRegex(column="qpv_code", regex=QPV_CODE_REGEX),
        gxe.ExpectColumnValuesToBeInSet(column="generation_matches_code", value_set=[True]),
        gxe.ExpectColumnValuesToNotBeNull(column="commune_code"),
        gxe.ExpectColumnValuesToMatchRegex(column="commune_code", regex=COMMUNE_CODE_REGEX),
        gxe.ExpectColumnValuesToBeBetween(column="population", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="point_inside_france", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="polygon_flag_matches_wkt", value_set=[True]),
    ]
    return data, expectations


SUITES = {
    "raw_outreach_places": raw_outreach_places,
    "raw_outreach_sessions": raw_outreach_sessions,
    "raw_qpv": raw_qpv,
    "raw_activity": raw_activity,
    "raw_satisfaction": raw_satisfaction,
    "raw_insee_communes": raw_insee_communes,
    "raw_site_listing": raw_site_listing,
}
