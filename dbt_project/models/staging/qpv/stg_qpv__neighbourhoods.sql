-- A table on Spark: the Python models' tables are computed from its Parquet there
-- (orchestration.spark_build), and a view has none.
{{ config(materialized=('table' if target.type == 'spark' else 'view')) }}

with source as (
    select * from {{ source('qpv', 'qpv') }}
),

renamed as (
    select
        cast(generation as integer) as generation,
        cast(qpv_code as string) as qpv_code,
        cast(qpv_name as string) as qpv_name,
        cast(commune_code as string) as commune_code,
        cast(commune_name as string) as commune_name,
        cast(department_code as string) as department_code,
        cast(population as bigint) as population,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(point_source as string) as point_source,
        cast(wkt as string) as wkt,
        cast(has_polygon as boolean) as has_polygon,
        cast(communes_in_qpv as integer) as communes_in_qpv,
        cast(load_id as string) as load_id,
        cast(population_load_id as string) as population_load_id,
        cast(polygon_load_id as string) as polygon_load_id,
        cast(is_embedded as boolean) as is_embedded,
        cast(extra as string) as extra
    from source
)

select * from renamed
