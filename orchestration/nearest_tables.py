"""The three tables of the warehouse computed in Python: nearest sites and points inside QPVs.

Plain functions on frames, called by the Dagster assets of orchestration.defs.nearest on
either engine (dbt-spark runs no Python models, so these are not dbt models). Each returns an
Arrow table of ``TABLE_SCHEMAS`` (no pandas object columns); the engines give the same rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from ingestion.geo import nearest
from ingestion.qpv.inside import points_inside

TABLE_SCHEMAS = {
    "int_coverage_nearest": pa.schema(
        [("commune_code", pa.string()), ("month_end", pa.date32())]
        + [
            (f"{prefix}{column}", kind)
            for prefix in ("nearest_", "nearest_fixed_", "nearest_mobile_")
            for column, kind in (("site_id", pa.string()), ("distance_km", pa.float64()))
        ]
        + [("nearest_place_key", pa.string()), ("nearest_place_distance_km", pa.float64())]
    ),
    "int_qpv_nearest_fixed": pa.schema(
        [
            ("qpv_key", pa.string()),
            ("month_end", pa.date32()),
            ("nearest_fixed_site_id", pa.string()),
            ("fixed_distance_km", pa.float64()),
        ]
    ),
    "int_qpv_points_inside": pa.schema(
        [("qpv_key", pa.string()), ("point_kind", pa.string()), ("point_key", pa.string()), ("matched_by", pa.string())]
    ),
}
"""Columns and types of each table, the same on both engines."""


def _nearest(communes, sites):
    """(site index into ``sites`` or -1, km) for each commune."""
    return nearest(communes["latitude"], communes["longitude"], sites["latitude"], sites["longitude"])


def _ids(site_ids: np.ndarray, index: np.ndarray) -> pa.Array:
    found = index >= 0
    values = np.where(found, site_ids[np.clip(index, 0, None)] if len(site_ids) else "", "")
    return pa.array(values, type=pa.string(), mask=~found)


def _nearest_place(communes, places, month_end, cache: dict) -> dict:
    """The nearest outreach place version open at ``month_end`` (one cached answer per set)."""
    valid_from = places["valid_from"].to_numpy(dtype="datetime64[D]")
    valid_to = places["valid_to"].to_numpy(dtype="datetime64[D]")
    open_places = places[(valid_from <= month_end) & (np.isnat(valid_to) | (valid_to > month_end))]
    key = tuple(sorted(open_places["place_key"]))
    if key not in cache:
        index, km = _nearest(communes, open_places)
        cache.clear()
        cache[key] = {
            "nearest_place_key": _ids(open_places["place_key"].to_numpy(dtype=object), index),
            "nearest_place_distance_km": pa.array(km, type=pa.float64()),
        }
    return cache[key]


def _in_key_order(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` sorted by ``keys``: of two sites or places at the same distance (the same
    position), the nearest is then the first by key, whatever order the engine read them in."""
    return frame.sort_values(keys, kind="stable", ignore_index=True)


def coverage_nearest(
    communes: pd.DataFrame, first_month: dt.date | None, open_sites: pd.DataFrame, places: pd.DataFrame
) -> pa.Table:
    """int_coverage_nearest: nearest open site (any, fixed, mobile) and outreach place of every
    commune at every month end, from ``first_month`` (the month of the first listing release
    loaded: before it, which sites were open comes only from labelling dates, enough to count
    sites, not to map them). A KD-tree on unit vectors per distinct set of open sites: months
    whose open sites did not change reuse the previous answer.

    ``communes``: int_communes with a position; ``open_sites``: int_sites_open_monthly with a
    position; ``places``: int_outreach_place_links with a position.
    """
    if first_month is not None:
        open_sites = open_sites[open_sites["month_end"] >= np.datetime64(first_month, "D")]
    open_sites = _in_key_order(open_sites, ["month_end", "site_id", "site_key"])
    places = _in_key_order(places, ["place_key"])
    codes = pa.array(communes["commune_code"].to_numpy(dtype=object), type=pa.string())
    batches, cache, place_cache = [], {}, {}
    for month_end, sites in open_sites.groupby("month_end", sort=True):
        key = tuple(sorted(sites["site_key"]))
        if key not in cache:
            fixed, mobile = sites[~sites["is_mobile"]], sites[sites["is_mobile"]]
            columns = {}
            for prefix, subset in (("nearest_", sites), ("nearest_fixed_", fixed), ("nearest_mobile_", mobile)):
                index, km = _nearest(communes, subset)
                columns[f"{prefix}site_id"] = _ids(subset["site_id"].to_numpy(dtype=object), index)
                columns[f"{prefix}distance_km"] = pa.array(km, type=pa.float64())
            cache = {key: columns}  # releases change rarely: keep only the last set
        columns = dict(cache[key])
        columns.update(_nearest_place(communes, places, np.datetime64(month_end, "D"), place_cache))
        months = pa.array(np.full(len(communes), np.datetime64(month_end, "D")), type=pa.date32())
        batches.append(pa.table({"commune_code": codes, "month_end": months, **columns}))
    if not batches:
        return TABLE_SCHEMAS["int_coverage_nearest"].empty_table()
    return pa.concat_tables(batches)


def qpv_nearest_fixed(qpvs: pd.DataFrame, first_month: dt.date | None, open_sites: pd.DataFrame) -> pa.Table:
    """int_qpv_nearest_fixed: nearest open fixed site of every QPV commune part at every month
    end, months and KD-tree as ``coverage_nearest``. ``qpvs``: stg_qpv__neighbourhoods with a
    position; ``open_sites``: int_sites_open_monthly with a position, not mobile."""
    if first_month is not None:
        open_sites = open_sites[open_sites["month_end"] >= np.datetime64(first_month, "D")]
    open_sites = _in_key_order(open_sites, ["month_end", "site_id", "site_key"])
    keys = pa.array((qpvs["qpv_code"] + "|" + qpvs["commune_code"]).tolist(), type=pa.string())
    batches, cache = [], {}
    for month_end, sites in open_sites.groupby("month_end", sort=True):
        key = tuple(sorted(sites["site_key"]))
        if key not in cache:
            index, km = nearest(qpvs["latitude"], qpvs["longitude"], sites["latitude"], sites["longitude"])
            ids = sites["site_id"].to_numpy(dtype=object)
            found = index >= 0
            values = np.where(found, ids[np.clip(index, 0, None)] if len(ids) else "", "")
            cache = {key: (pa.array(values, type=pa.string(), mask=~found), pa.array(km, type=pa.float64()))}
        site_ids, km = cache[key]
        months = pa.array(np.full(len(qpvs), np.datetime64(month_end, "D")), type=pa.date32())
        batches.append(
            pa.table({"qpv_key": keys, "month_end": months, "nearest_fixed_site_id": site_ids, "fixed_distance_km": km})
        )
    if not batches:
        return TABLE_SCHEMAS["int_qpv_nearest_fixed"].empty_table()
    return pa.concat_tables(batches)


def qpv_points_inside(qpvs: pd.DataFrame, places: pd.DataFrame, sites: pd.DataFrame) -> pa.Table:
    """int_qpv_points_inside: outreach place versions and site versions inside each QPV commune
    part: inside its polygon when it has one, else within 500 m of its point. ``qpvs``: every
    stg_qpv__neighbourhoods row; ``places`` and ``sites``: int_outreach_place_links and
    int_site_versions with a position."""
    kinds = ["outreach_place"] * len(places) + ["site"] * len(sites)
    keys = np.concatenate([places["place_key"].to_numpy(dtype=object), sites["site_key"].to_numpy(dtype=object)])
    lat = np.concatenate([places["latitude"].to_numpy(dtype=float), sites["latitude"].to_numpy(dtype=float)])
    lon = np.concatenate([places["longitude"].to_numpy(dtype=float), sites["longitude"].to_numpy(dtype=float)])
    wkt = [text if has else None for text, has in zip(qpvs["wkt"], qpvs["has_polygon"].fillna(False), strict=True)]
    q, p = points_inside(wkt, qpvs["latitude"].to_numpy(dtype=float), qpvs["longitude"].to_numpy(dtype=float), lat, lon)
    qpv_keys = (qpvs["qpv_code"] + "|" + qpvs["commune_code"]).to_numpy(dtype=object)
    return pa.table(
        {
            "qpv_key": pa.array(qpv_keys[q].tolist(), type=pa.string()),
            "point_kind": pa.array([kinds[i] for i in p], type=pa.string()),
            "point_key": pa.array(keys[p].tolist(), type=pa.string()),
            "matched_by": pa.array(["polygon" if wkt[i] else "near_point" for i in q], type=pa.string()),
        }
    )
