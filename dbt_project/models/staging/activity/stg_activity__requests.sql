with source as (
    select * from {{ source('activity', 'activity') }}
),

renamed as (
    select
        cast(site_id as varchar) as site_id,
        cast(activity_date as date) as activity_date,
        cast(month as date) as month_start,
        cast(is_monthly as boolean) as is_monthly,
        cast(partner_code as varchar) as partner_code,
        cast(partner_label as varchar) as partner_label,
        cast(coalesce(nullif(trim(theme), ''), 'Non précisé') as varchar) as theme_label,
        cast(coalesce(nullif(trim(channel), ''), 'Non précisé') as varchar) as channel,
        cast(requests as bigint) as requests,
        cast(resolved_first_visit as bigint) as resolved_first_visit,
        cast(load_id as varchar) as load_id
    from source
)

select * from renamed
