with links as (
    select * from {{ ref('int_outreach_place_links') }}
),

final as (
    select
        place_key,
        place_id,
        site_key,
        site_id,
        link_method,
        parent_structure,
        place_name,
        commune_code,
        department_code,
        region_code,
        latitude,
        longitude,
        position_replaced,
        opening_hours,
        weeks,
        public_holidays_off,
        hours_odd_week,
        hours_even_week,
        hours_per_week_avg,
        is_demo,
        valid_from,
        valid_to,
        is_current
    from links
)

select * from final
