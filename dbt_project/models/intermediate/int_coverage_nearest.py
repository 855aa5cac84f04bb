"""Nearest open site (any, fixed, mobile) and outreach place of every commune at every month end.

The computation is orchestration.nearest_tables.coverage_nearest (shared with the Spark build).
"""

from orchestration.nearest_tables import coverage_nearest


def model(dbt, session):
    dbt.config(materialized="table")
    communes = dbt.ref("int_communes").filter("latitude is not null").df()
    first = dbt.ref("int_site_versions").aggregate("last_day(min(valid_from)) as first_month").fetchall()[0][0]
    open_sites = dbt.ref("int_sites_open_monthly").filter("has_position").df()
    places = dbt.ref("int_outreach_place_links").filter("latitude is not null").df()
    return coverage_nearest(communes, first, open_sites, places)
