"""Nearest open site (any, fixed, mobile) and outreach place of every commune at every month end.

A KD-tree on unit vectors per distinct set of open sites (ingestion.geo.nearest): months
whose open sites did not change reuse the previous answer, and no step ever builds the
communes × sites matrix. Returned as an Arrow table (no pandas object columns).
"""

import numpy as np
import pyarrow as pa


def _nearest(communes, sites):
    """(site index into ``sites`` or -1, km) for each commune."""
    from ingestion.geo import nearest

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


def model(dbt, session):
    dbt.config(materialized="table")
    communes = dbt.ref("int_communes").filter("latitude is not null").df()
    # From the month of the first listing release loaded to the latest: before it, which sites
    # were open comes only from labelling dates, enough to count sites, not to map them.
    first = dbt.ref("int_site_versions").aggregate("last_day(min(valid_from)) as first_month").fetchall()[0][0]
    open_sites = dbt.ref("int_sites_open_monthly").filter("has_position").df()
    if first is not None:
        open_sites = open_sites[open_sites["month_end"] >= np.datetime64(first, "D")]
    places = dbt.ref("int_outreach_place_links").filter("latitude is not null").df()
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
        empty = {"commune_code": pa.string(), "month_end": pa.date32()}
        for prefix in ("nearest_", "nearest_fixed_", "nearest_mobile_"):
            empty[f"{prefix}site_id"] = pa.string()
            empty[f"{prefix}distance_km"] = pa.float64()
        empty["nearest_place_key"] = pa.string()
        empty["nearest_place_distance_km"] = pa.float64()
        return pa.schema(empty).empty_table()
    return pa.concat_tables(batches)
