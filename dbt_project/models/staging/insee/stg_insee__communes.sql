with source as (
    select * from {{ source('insee', 'insee_communes') }}
),

renamed as (
    select
        cast(commune_code as string) as commune_code,
        cast(commune_name as string) as commune_name,
        cast(commune_type as string) as commune_type,
        cast(parent_commune_code as string) as parent_commune_code,
        cast(department_code as string) as department_code,
        cast(region_code as string) as region_code,
        cast(epci_code as string) as epci_code,
        cast(population as bigint) as population,
        cast(population_year as integer) as population_year,
        cast(population_source as string) as population_source,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude
    from source
)

select * from renamed
