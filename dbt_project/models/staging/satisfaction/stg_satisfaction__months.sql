with source as (
    select * from {{ source('satisfaction', 'satisfaction_months') }}
),

renamed as (
    select
        cast(month as date) as month_start,
        cast(refreshed_at as {{ fsw_timestamptz() }}) as refreshed_at,
        cast(row_count as bigint) as row_count
    from source
)

select * from renamed
