with source as (
    select * from {{ source('barometer', 'barometer') }}
),

renamed as (
    select distinct
        cast(level as string) as territory_level,
        cast(territory_code as string) as territory_code,
        cast(date as date) as count_date,
        cast(kind as string) as count_kind,
        cast(value as bigint) as site_count
    from source
),

final as (
    -- The same figure can appear in a detail and a synthesis file: keep one per key.
    select territory_level, territory_code, count_date, count_kind, max(site_count) as site_count
    from renamed
    group by all
)

select * from final
