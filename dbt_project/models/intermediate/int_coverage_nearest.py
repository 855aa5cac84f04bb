"""Nearest open site (any, fixed, mobile) of every commune at every month end.

A KD-tree on unit vectors per month (ingestion.geo.nearest): 35,000 communes × 2,800 sites
× 60 months takes about a second, never a communes × sites matrix.
"""

import numpy as np
import pandas as pd


def _nearest_columns(communes, sites, prefix):
    from ingestion.geo import nearest

    index, km = nearest(communes["latitude"], communes["longitude"], sites["latitude"], sites["longitude"])
    site_ids = sites["site_id"].to_numpy()
    found = index >= 0
    return {
        f"{prefix}site_id": np.where(found, site_ids[np.clip(index, 0, None)] if len(site_ids) else None, None),
        f"{prefix}distance_km": km,
    }


def model(dbt, session):
    dbt.config(materialized="table")
    communes = dbt.ref("dim_commune").df()
    communes = communes[communes["latitude"].notna()].reset_index(drop=True)
    open_sites = dbt.ref("int_sites_open_monthly").df()
    open_sites = open_sites[open_sites["latitude"].notna()]
    frames = []
    for month_end, sites in open_sites.groupby("month_end", sort=True):
        columns = {"commune_code": communes["commune_code"].to_numpy(), "month_end": month_end}
        columns.update(_nearest_columns(communes, sites, "nearest_"))
        columns.update(_nearest_columns(communes, sites[~sites["is_mobile"]], "nearest_fixed_"))
        columns.update(_nearest_columns(communes, sites[sites["is_mobile"]], "nearest_mobile_"))
        frames.append(pd.DataFrame(columns))
    if not frames:
        return pd.DataFrame({
            "commune_code": pd.Series(dtype="string"), "month_end": pd.Series(dtype="datetime64[s]"),
            "nearest_site_id": pd.Series(dtype="string"), "nearest_distance_km": pd.Series(dtype="float64"),
            "nearest_fixed_site_id": pd.Series(dtype="string"), "nearest_fixed_distance_km": pd.Series(dtype="float64"),
            "nearest_mobile_site_id": pd.Series(dtype="string"), "nearest_mobile_distance_km": pd.Series(dtype="float64"),
        })
    result = pd.concat(frames, ignore_index=True)
    for column in ("nearest_site_id", "nearest_fixed_site_id", "nearest_mobile_site_id"):
        result[column] = result[column].astype("string")
    return result
