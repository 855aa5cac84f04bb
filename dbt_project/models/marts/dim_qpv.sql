with neighbourhoods as (
    select * from {{ ref('stg_qpv__neighbourhoods') }}
),

communes as (
    select commune_code, region_code from {{ ref('int_communes') }}
),

final as (
    select
        neighbourhoods.qpv_code || '|' || neighbourhoods.commune_code as qpv_key,
        neighbourhoods.qpv_code,
        neighbourhoods.qpv_name,
        neighbourhoods.generation,
        neighbourhoods.commune_code,
        neighbourhoods.department_code,
        communes.region_code,
        neighbourhoods.population,
        neighbourhoods.latitude,
        neighbourhoods.longitude,
        neighbourhoods.has_polygon
    from neighbourhoods
    left join communes on neighbourhoods.commune_code = communes.commune_code
)

select * from final
