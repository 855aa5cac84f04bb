with source as (
    select * from {{ source('qpv', 'qpv') }}
),

renamed as (
    select
        cast(generation as integer) as generation,
        cast(qpv_code as varchar) as qpv_code,
        cast(qpv_name as varchar) as qpv_name,
        cast(commune_code as varchar) as commune_code,
        cast(commune_name as varchar) as commune_name,
        cast(department_code as varchar) as department_code,
        cast(population as bigint) as population,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(point_source as varchar) as point_source,
        cast(wkt as varchar) as wkt,
        cast(has_polygon as boolean) as has_polygon,
        cast(communes_in_qpv as integer) as communes_in_qpv,
        cast(load_id as varchar) as load_id,
        cast(population_load_id as varchar) as population_load_id,
        cast(polygon_load_id as varchar) as polygon_load_id,
        cast(is_embedded as boolean) as is_embedded,
        cast(extra as varchar) as extra
    from source
)

select * from renamed
