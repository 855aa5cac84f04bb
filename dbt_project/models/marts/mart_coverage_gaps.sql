with coverage as (
    select * from {{ ref('fct_coverage') }}
    where month_end = (select max(month_end) from {{ ref('fct_coverage') }})
),

communes as (
    select * from {{ ref('dim_commune') }}
),

sites as (
    select site_id, site_name from {{ ref('dim_site') }}
    where is_current
),

final as (
    select
        cast(row_number() over (order by coalesce(coverage.population, 0) desc, coverage.commune_code) as integer)
            as gap_rank,
        coverage.commune_code,
        communes.commune_name,
        communes.department_code,
        communes.department_name,
        communes.region_code,
        coverage.population,
        coverage.month_end,
        coverage.nearest_site_id,
        sites.site_name as nearest_site_name,
        coverage.distance_km,
        coverage.travel_minutes,
        coverage.nearest_mobile_site_id,
        coverage.mobile_distance_km
    from coverage
    join communes using (commune_code)
    left join sites on sites.site_id = coverage.nearest_site_id
    where not coverage.within_30_min
)

select * from final
