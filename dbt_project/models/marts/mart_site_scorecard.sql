with sites as (
    select * from {{ ref('dim_site') }}
    where is_current
),

demand as (
    select
        site_id, month_start, requests, resolved_first_visit,
        case when resolved_first_visit is not null then requests end as requests_with_resolution
    from {{ ref('fct_demand') }}
),

latest as (
    select max(month_start) as last_month from demand
),

-- Whether each window holds any month of data at all (nationally): without one, a site's
-- totals are unknown (null), not 0.
data_windows as (
    select
        count(distinct month_start) filter (where month_start > last_month - interval 12 month) > 0
            as has_last_12m,
        count(distinct month_start) filter (
            where month_start <= last_month - interval 12 month and month_start > last_month - interval 24 month
        ) > 0 as has_previous_12m,
        (select count(*) > 0 from {{ ref('fct_satisfaction') }}) as has_satisfaction,
        (select count(*) > 0 from {{ ref('fct_coverage') }}) as has_coverage
    from demand cross join latest
),

demand_windows as (
    select
        site_id,
        cast(sum(requests) filter (where month_start > last_month - interval 12 month) as bigint) as requests_last_12m,
        cast(sum(
            requests) filter (
            where month_start <= last_month - interval 12 month
            and month_start > last_month - interval 24 month
        ) as bigint) as requests_previous_12m,
        sum(resolved_first_visit) filter (where month_start > last_month - interval 12 month)
        / nullif(sum(requests_with_resolution) filter (where month_start > last_month - interval 12 month), 0)
            as first_visit_resolution_rate
    from demand cross join latest
    group by site_id
),

satisfaction as (
    select
        site_id,
        sum(satisfied) / nullif(sum(responses), 0) as satisfaction_rate,
        sum(would_recommend) / nullif(sum(recommend_answers), 0) as recommend_rate,
        cast(sum(responses) as bigint) as responses_last_12m
    from {{ ref('fct_satisfaction') }}
    where month_start > (select max(month_start) from {{ ref('fct_satisfaction') }}) - interval 12 month
    group by site_id
),

coverage as (
    select nearest_site_id as site_id, cast(sum(coalesce(population, 0)) as bigint) as population_nearest
    from {{ ref('fct_coverage') }}
    where month_end = (select max(month_end) from {{ ref('fct_coverage') }})
    group by nearest_site_id
),

final as (
    select
        sites.site_id,
        sites.site_key,
        sites.site_name,
        sites.site_type,
        sites.site_format,
        sites.is_mobile,
        sites.commune_code,
        sites.department_code,
        sites.region_code,
        case when data_windows.has_last_12m then coalesce(demand_windows.requests_last_12m, 0) end
            as requests_last_12m,
        case when data_windows.has_previous_12m then coalesce(demand_windows.requests_previous_12m, 0) end
            as requests_previous_12m,
        demand_windows.first_visit_resolution_rate,
        satisfaction.satisfaction_rate,
        satisfaction.recommend_rate,
        case when data_windows.has_satisfaction then coalesce(satisfaction.responses_last_12m, 0) end
            as responses_last_12m,
        sites.charter_compliant,
        sites.weekly_opening_hours,
        sites.days_open,
        case when data_windows.has_coverage then coalesce(coverage.population_nearest, 0) end
            as population_nearest,
        cast(rank() over (
            partition by sites.department_code
            order by coalesce(demand_windows.requests_last_12m, 0) desc
        ) as integer) as rank_in_department
    from sites
    cross join data_windows
    left join demand_windows using (site_id)
    left join satisfaction using (site_id)
    left join coverage using (site_id)
)

select * from final
