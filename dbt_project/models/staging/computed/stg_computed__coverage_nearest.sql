-- The table int_coverage_nearest as the Dagster asset of orchestration/defs/nearest wrote it.
select * from {{ source('computed', 'int_coverage_nearest') }}
