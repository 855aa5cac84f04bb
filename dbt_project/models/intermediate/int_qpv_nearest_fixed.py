"""Nearest open fixed (non-mobile) site of every QPV commune part at every month end.

The computation is orchestration.nearest_tables.qpv_nearest_fixed (shared with the Spark build).
"""

from orchestration.nearest_tables import qpv_nearest_fixed


def model(dbt, session):
    dbt.config(materialized="table")
    qpvs = dbt.ref("stg_qpv__neighbourhoods").filter("latitude is not null").df()
    first = dbt.ref("int_site_versions").aggregate("last_day(min(valid_from)) as first_month").fetchall()[0][0]
    open_sites = dbt.ref("int_sites_open_monthly").filter("has_position and not is_mobile").df()
    return qpv_nearest_fixed(qpvs, first, open_sites)
