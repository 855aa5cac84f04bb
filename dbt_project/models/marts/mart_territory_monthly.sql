with territories as (
    select * from {{ ref('int_commune_territories') }}
),

communes as (
    select commune_code, population from {{ ref('dim_commune') }}
),

population as (
    select
        territory_level, territory_code, any_value(territory_name) as territory_name,
        any_value(region_code) as region_code, any_value(department_code) as department_code,
        cast(sum(coalesce(communes.population, 0)) as bigint) as population
    from territories join communes using (commune_code)
    group by territory_level, territory_code
),

sites as (
    select * from {{ ref('int_sites_open_monthly') }}
),

-- The facts are summed per commune and month first: each commune then fans out to its four
-- territory levels as one row, not as every one of its fact rows (13 M at national scale).
demand as (
    select
        fct.month_start, dim_site.commune_code,
        sum(fct.requests) as requests,
        sum(fct.resolved_first_visit) as resolved_first_visit,
        sum(fct.requests) filter (where fct.resolved_first_visit is not null) as requests_with_resolution
    from {{ ref('fct_demand') }} as fct
    join {{ ref('dim_site') }} as dim_site using (site_key)
    group by fct.month_start, dim_site.commune_code
),

satisfaction as (
    select
        fct.month_start, dim_site.commune_code,
        sum(fct.responses) as responses, sum(fct.satisfied) as satisfied,
        sum(fct.would_recommend) as would_recommend, sum(fct.recommend_answers) as recommend_answers
    from {{ ref('fct_satisfaction') }} as fct
    join {{ ref('dim_site') }} as dim_site using (site_key)
    group by fct.month_start, dim_site.commune_code
),

coverage as (
    select * from {{ ref('fct_coverage') }}
),

months as (
    select distinct month_end from (
        select month_end from sites
        union all
        select last_day(month_start) from demand
        union all
        select last_day(month_start) from satisfaction
    ) as month_ends
),

sites_by_territory as (
    select
        territory_level, territory_code, sites.month_end,
        count(*) as sites_open,
        count(*) filter (where site_type = 'main') as main_sites_open,
        count(*) filter (where site_type = 'antenna') as antenna_sites_open,
        count(*) filter (where is_mobile) as mobile_sites_open
    from sites join territories using (commune_code)
    group by all
),

coverage_by_territory as (
    select
        territory_level, territory_code, coverage.month_end,
        cast(sum(coalesce(coverage.population, 0)) filter (where coverage.within_30_min) as bigint)
            as population_within_30_min
    from coverage join territories using (commune_code)
    group by all
),

demand_by_territory as (
    select
        territory_level, territory_code, last_day(month_start) as month_end,
        cast(sum(requests) as bigint) as requests,
        cast(sum(resolved_first_visit) as bigint) as resolved_first_visit,
        cast(sum(requests_with_resolution) as bigint) as requests_with_resolution
    from demand join territories using (commune_code)
    group by all
),

satisfaction_by_territory as (
    select
        territory_level, territory_code, last_day(month_start) as month_end,
        cast(sum(responses) as bigint) as responses, cast(sum(satisfied) as bigint) as satisfied,
        cast(sum(would_recommend) as bigint) as would_recommend,
        cast(sum(recommend_answers) as bigint) as recommend_answers
    from satisfaction join territories using (commune_code)
    group by all
),

spine as (
    select population.*, months.month_end from population cross join months
),

final as (
    select
        spine.territory_level,
        spine.territory_code,
        spine.territory_name,
        spine.region_code,
        spine.department_code,
        cast(spine.month_end as date) as month_end,
        spine.population,
        coalesce(s.sites_open, 0) as sites_open,
        coalesce(s.main_sites_open, 0) as main_sites_open,
        coalesce(s.antenna_sites_open, 0) as antenna_sites_open,
        coalesce(s.mobile_sites_open, 0) as mobile_sites_open,
        c.population_within_30_min,
        case
            when c.population_within_30_min is not null and spine.population > 0
                then c.population_within_30_min / spine.population
        end as share_within_30_min,
        coalesce(d.requests, 0) as requests,
        case when spine.population > 0 then coalesce(d.requests, 0) * 1000.0 / spine.population end
            as requests_per_1000,
        coalesce(d.resolved_first_visit, 0) as resolved_first_visit,
        coalesce(d.requests_with_resolution, 0) as requests_with_resolution,
        case when d.requests_with_resolution > 0 then d.resolved_first_visit / d.requests_with_resolution end
            as first_visit_resolution_rate,
        coalesce(q.responses, 0) as responses,
        coalesce(q.satisfied, 0) as satisfied,
        coalesce(q.would_recommend, 0) as would_recommend,
        coalesce(q.recommend_answers, 0) as recommend_answers,
        case when q.responses > 0 then q.satisfied / q.responses end as satisfaction_rate,
        case when q.recommend_answers > 0 then q.would_recommend / q.recommend_answers end as recommend_rate
    from spine
    left join sites_by_territory as s using (territory_level, territory_code, month_end)
    left join coverage_by_territory as c using (territory_level, territory_code, month_end)
    left join demand_by_territory as d using (territory_level, territory_code, month_end)
    left join satisfaction_by_territory as q using (territory_level, territory_code, month_end)
)

select * from final
