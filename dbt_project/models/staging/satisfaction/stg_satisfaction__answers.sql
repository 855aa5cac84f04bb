with source as (
    select * from {{ source('satisfaction', 'satisfaction') }}
),

renamed as (
    select
        cast(site_id as string) as site_id,
        cast(response_date as date) as response_date,
        cast(month as date) as month_start,
        cast(satisfaction_score as integer) as satisfaction_score,
        cast(satisfied as boolean) as is_satisfied,
        cast(would_recommend as boolean) as would_recommend,
        cast(load_id as string) as load_id
    from source
)

select * from renamed
