-- Travel model (one place: vars set by fsw from orchestration/config.py TravelModel):
-- travel minutes = great-circle km × detour factor ÷ speed × 60; within 30 minutes ⇔ ≤ threshold.
with nearest as (
    select * from {{ ref('stg_computed__coverage_nearest') }}
),

communes as (
    select commune_code, population from {{ ref('dim_commune') }}
),

schedule as (
    select place_key, month_end, hours from {{ ref('fct_outreach_schedule') }}
),

all_communes as (
    select communes.commune_code, months.month_end, communes.population
    from communes
    cross join (select distinct month_end from nearest) as months
),

final as (
    select
        all_communes.commune_code,
        cast(all_communes.month_end as date) as month_end,
        all_communes.population,
        cast(nearest.nearest_site_id as string) as nearest_site_id,
        nearest.nearest_distance_km as distance_km,
        {{ travel_minutes('nearest.nearest_distance_km') }} as travel_minutes,
        {{ travel_minutes('nearest.nearest_distance_km') }} <= {{ var('travel_threshold_minutes') }} as within_30_min,
        cast(nearest.nearest_fixed_site_id as string) as nearest_fixed_site_id,
        nearest.nearest_fixed_distance_km as fixed_distance_km,
        {{ travel_minutes('nearest.nearest_fixed_distance_km') }} as fixed_travel_minutes,
        coalesce(
            {{ travel_minutes('nearest.nearest_fixed_distance_km') }} <= {{ var('travel_threshold_minutes') }}, false
        )
            as fixed_within_30_min,
        cast(nearest.nearest_mobile_site_id as string) as nearest_mobile_site_id,
        nearest.nearest_mobile_distance_km as mobile_distance_km,
        coalesce(
            {{ travel_minutes('nearest.nearest_mobile_distance_km') }} <= {{ var('travel_threshold_minutes') }}, false
        )
        and not coalesce(
            {{ travel_minutes('nearest.nearest_fixed_distance_km') }} <= {{ var('travel_threshold_minutes') }}, false
        )
            as served_only_by_mobile,
        cast(nearest.nearest_place_key as string) as nearest_place_key,
        nearest.nearest_place_distance_km as place_distance_km,
        {{ travel_minutes('nearest.nearest_place_distance_km') }} as place_travel_minutes,
        case when nearest.nearest_place_key is not null then coalesce(schedule.hours, 0) end as place_hours,
        coalesce(
            {{ travel_minutes('nearest.nearest_place_distance_km') }} <= {{ var('travel_threshold_minutes') }}, false
        )
        and not coalesce(
            {{ travel_minutes('nearest.nearest_fixed_distance_km') }} <= {{ var('travel_threshold_minutes') }}, false
        )
            as served_only_by_outreach
    from all_communes
    left join nearest
        on
            nearest.commune_code = all_communes.commune_code
            and cast(nearest.month_end as date) = all_communes.month_end
    left join schedule
        on nearest.nearest_place_key = schedule.place_key and all_communes.month_end = schedule.month_end
)

select * from final
