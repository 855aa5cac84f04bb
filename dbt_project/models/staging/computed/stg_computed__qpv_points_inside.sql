-- The table int_qpv_points_inside as the Dagster asset of orchestration/defs/nearest wrote it.
select * from {{ source('computed', 'int_qpv_points_inside') }}
