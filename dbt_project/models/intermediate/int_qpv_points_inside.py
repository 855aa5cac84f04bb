"""Outreach place versions and site versions inside each QPV commune part.

Inside its polygon (shapely) when the QPV has one, else within 500 m of its point; the
computation is orchestration.nearest_tables.qpv_points_inside (shared with the Spark build).
"""

from orchestration.nearest_tables import qpv_points_inside


def model(dbt, session):
    dbt.config(materialized="table")
    qpvs = dbt.ref("stg_qpv__neighbourhoods").df()
    places = dbt.ref("int_outreach_place_links").filter("latitude is not null").df()
    sites = dbt.ref("int_site_versions").filter("latitude is not null").df()
    return qpv_points_inside(qpvs, places, sites)
