"""Outreach place versions and site versions inside each QPV commune part.

Inside its polygon (shapely) when the QPV has one, else within 500 m of its point
(ingestion.qpv.inside). Positions do not change within a version, so the join is done once on
versions; the marts keep the versions open at each month end.
"""

import numpy as np
import pyarrow as pa

from ingestion.qpv.inside import points_inside


def model(dbt, session):
    dbt.config(materialized="table")
    qpvs = dbt.ref("stg_qpv__neighbourhoods").df()
    places = dbt.ref("int_outreach_place_links").filter("latitude is not null").df()
    sites = dbt.ref("int_site_versions").filter("latitude is not null").df()
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
