with source as (
    select * from {{ source('activity', 'activity') }}
),

renamed as (
    select
        cast(site_id as string) as site_id,
        cast(activity_date as date) as activity_date,
        cast(month as date) as month_start,
        cast(is_monthly as boolean) as is_monthly,
        cast(partner_code as string) as partner_code,
        cast(partner_label as string) as partner_label,
        cast(coalesce(nullif(trim(theme), ''), 'Non précisé') as string) as theme_label,
        cast(coalesce(nullif(trim(channel), ''), 'Non précisé') as string) as channel,
        cast(requests as bigint) as requests,
        cast(resolved_first_visit as bigint) as resolved_first_visit,
        cast(load_id as string) as load_id
    from source
)

select * from renamed
