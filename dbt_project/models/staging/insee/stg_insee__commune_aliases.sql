with source as (
    select * from {{ source('insee', 'insee_commune_aliases') }}
),

renamed as (
    select
        cast(alias_code as varchar) as alias_code,
        cast(commune_code as varchar) as commune_code,
        cast(alias_type as varchar) as alias_type
    from source
)

select * from renamed
