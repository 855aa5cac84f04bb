-- Each priority neighbourhood (QPV commune part) at each coverage month end: its nearest open
-- fixed site, and the outreach places and sites inside it (polygon, else 500 m of its point)
-- open at the month end, with the hours they hold there that month.
with qpvs as (
    select * from {{ ref('dim_qpv') }}
),

months as (
    select distinct month_end from {{ ref('fct_coverage') }}
),

nearest_fixed as (
    select * from {{ ref('stg_computed__qpv_nearest_fixed') }}
),

inside as (
    select * from {{ ref('stg_computed__qpv_points_inside') }}
),

places as (
    select place_key, valid_from, valid_to from {{ ref('dim_outreach_place') }}
),

schedule as (
    select place_key, month_end, hours from {{ ref('fct_outreach_schedule') }}
),

sites_open as (
    select open_monthly.month_end, open_monthly.site_key, dim_site.weekly_opening_hours
    from {{ ref('int_sites_open_monthly') }} as open_monthly
    join {{ ref('dim_site') }} as dim_site using (site_key)
),

places_open as (
    select
        inside.qpv_key,
        months.month_end,
        inside.point_key,
        coalesce(schedule.hours, 0) as hours
    from inside
    join places on inside.point_key = places.place_key
    join months
        on places.valid_from <= months.month_end and (places.valid_to is null or places.valid_to > months.month_end)
    left join schedule on inside.point_key = schedule.place_key and months.month_end = schedule.month_end
    where inside.point_kind = 'outreach_place'
),

-- A fixed site's hours in a month: its weekly opening hours × the month's weeks.
sites_inside as (
    select
        inside.qpv_key,
        sites_open.month_end,
        inside.point_key,
        coalesce(sites_open.weekly_opening_hours, 0) * day(sites_open.month_end) / 7.0 as hours
    from inside
    join sites_open on inside.point_key = sites_open.site_key
    where inside.point_kind = 'site'
),

presence as (
    select
        qpv_key,
        month_end,
        count(*) filter (where kind = 'outreach_place') as outreach_places_inside,
        count(*) filter (where kind = 'site') as sites_inside,
        sum(hours) as hours_inside
    from (
        select *, 'outreach_place' as kind from places_open
        union all
        select *, 'site' as kind from sites_inside
    ) as points
    group by qpv_key, month_end
),

final as (
    select
        qpvs.qpv_key,
        qpvs.qpv_code,
        qpvs.qpv_name,
        qpvs.generation,
        qpvs.commune_code,
        qpvs.department_code,
        qpvs.region_code,
        cast(months.month_end as date) as month_end,
        qpvs.population,
        cast(nearest_fixed.nearest_fixed_site_id as string) as nearest_fixed_site_id,
        nearest_fixed.fixed_distance_km,
        {{ travel_minutes('nearest_fixed.fixed_distance_km') }} as travel_minutes,
        cast(coalesce(presence.outreach_places_inside, 0) + coalesce(presence.sites_inside, 0) as integer)
            as places_inside,
        cast(coalesce(presence.outreach_places_inside, 0) as integer) as outreach_places_inside,
        cast(coalesce(presence.sites_inside, 0) as integer) as sites_inside,
        cast(coalesce(presence.hours_inside, 0) as double) as hours_inside,
        coalesce(presence.outreach_places_inside, 0) + coalesce(presence.sites_inside, 0) > 0 as has_presence_inside
    from qpvs
    cross join months
    left join nearest_fixed
        on qpvs.qpv_key = nearest_fixed.qpv_key and months.month_end = cast(nearest_fixed.month_end as date)
    left join presence on qpvs.qpv_key = presence.qpv_key and months.month_end = presence.month_end
)

select * from final
