with source as (
    select * from {{ source('outreach', 'outreach_sessions') }}
),

renamed as (
    select
        cast(load_id as string) as load_id,
        cast(source_row as bigint) as source_row,
        cast(place_id as string) as place_id,
        cast(weekday as integer) as weekday,
        cast(weekday_code as string) as weekday_code,
        cast(start_time as {{ fsw_time() }}) as start_time,
        cast(end_time as {{ fsw_time() }}) as end_time,
        cast(start_minute as integer) as start_minute,
        cast(end_minute as integer) as end_minute,
        cast(minutes as integer) as minutes,
        cast(weeks as string) as weeks,
        cast(is_demo as boolean) as is_demo
    from source
)

select * from renamed
