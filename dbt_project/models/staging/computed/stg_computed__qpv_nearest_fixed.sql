-- The table int_qpv_nearest_fixed as the Dagster asset of orchestration/defs/nearest wrote it.
select * from {{ source('computed', 'int_qpv_nearest_fixed') }}
