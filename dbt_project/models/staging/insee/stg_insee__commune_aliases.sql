with source as (
    select * from {{ source('insee', 'insee_commune_aliases') }}
),

renamed as (
    select
        cast(alias_code as string) as alias_code,
        cast(commune_code as string) as commune_code,
        cast(alias_type as string) as alias_type
    from source
)

select * from renamed
