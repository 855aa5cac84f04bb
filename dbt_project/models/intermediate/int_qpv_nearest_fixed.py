"""Nearest open fixed (non-mobile) site of every QPV commune part at every month end.

The months and the KD-tree as int_coverage_nearest: one answer per distinct set of open
fixed sites, reused while it does not change.
"""

import numpy as np
import pyarrow as pa

from ingestion.geo import nearest


def model(dbt, session):
    dbt.config(materialized="table")
    qpvs = dbt.ref("stg_qpv__neighbourhoods").filter("latitude is not null").df()
    first = dbt.ref("int_site_versions").aggregate("last_day(min(valid_from)) as first_month").fetchall()[0][0]
    open_sites = dbt.ref("int_sites_open_monthly").filter("has_position and not is_mobile").df()
    if first is not None:
        open_sites = open_sites[open_sites["month_end"] >= np.datetime64(first, "D")]
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
        schema = {"qpv_key": pa.string(), "month_end": pa.date32()}
        schema |= {"nearest_fixed_site_id": pa.string(), "fixed_distance_km": pa.float64()}
        return pa.schema(schema).empty_table()
    return pa.concat_tables(batches)
