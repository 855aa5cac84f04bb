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

-- Every month with open sites, requests or answers, and which facts it holds at all,
-- nationally: in a month a fact holds, a territory without rows has 0; in a month it does
-- not hold, the territory has no data (null), not 0.
months as (
    select
        month_end,
        bool_or(fact = 'demand') as has_demand,
        bool_or(fact = 'satisfaction') as has_satisfaction
    from (
        select distinct month_end, 'sites' as fact from sites
        union all
        select distinct last_day(month_start) as month_end, 'demand' as fact from demand
        union all
        select distinct last_day(month_start) as month_end, 'satisfaction' as fact from satisfaction
    ) as month_ends
    group by month_end
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
        cast(coalesce(sum(coverage.population) filter (where coverage.within_30_min), 0) as bigint)
            as population_within_30_min
    from coverage join territories using (commune_code)
    group by all
),

-- Outreach hours by the place's commune; QPV population of the newest generation with
-- populations (2015 until a 2024 file gives them), so no neighbourhood is counted twice.
outreach_by_territory as (
    select
        territory_level, territory_code, schedule.month_end,
        sum(schedule.hours) as outreach_hours
    from {{ ref('fct_outreach_schedule') }} as schedule
    join {{ ref('dim_outreach_place') }} as places using (place_key)
    join territories on places.commune_code = territories.commune_code
    group by all
),

qpv_by_territory as (
    select
        territory_level, territory_code, qpv.month_end,
        cast(coalesce(sum(qpv.population) filter (where qpv.has_presence_inside), 0) as bigint)
            as qpv_population_with_presence_inside
    from {{ ref('mart_qpv_coverage') }} as qpv
    join territories on qpv.commune_code = territories.commune_code
    where
        qpv.generation = (
            select max(generation) from {{ ref('dim_qpv') }}
            where population is not null
        )
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
    select population.*, months.month_end, months.has_demand, months.has_satisfaction
    from population cross join months
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
        case when spine.has_demand then coalesce(d.requests, 0) end as requests,
        case when spine.has_demand and spine.population > 0 then coalesce(d.requests, 0) * 1000 / spine.population end
            as requests_per_1000,
        case when spine.has_demand then coalesce(d.resolved_first_visit, 0) end as resolved_first_visit,
        case when spine.has_demand then coalesce(d.requests_with_resolution, 0) end as requests_with_resolution,
        case when d.requests_with_resolution > 0 then d.resolved_first_visit / d.requests_with_resolution end
            as first_visit_resolution_rate,
        case when spine.has_satisfaction then coalesce(q.responses, 0) end as responses,
        case when spine.has_satisfaction then coalesce(q.satisfied, 0) end as satisfied,
        case when spine.has_satisfaction then coalesce(q.would_recommend, 0) end as would_recommend,
        case when spine.has_satisfaction then coalesce(q.recommend_answers, 0) end as recommend_answers,
        case when q.responses > 0 then q.satisfied / q.responses end as satisfaction_rate,
        case when q.recommend_answers > 0 then q.would_recommend / q.recommend_answers end as recommend_rate,
        cast(coalesce(o.outreach_hours, 0) as double) as outreach_hours,
        case when c.population_within_30_min is not null then coalesce(v.qpv_population_with_presence_inside, 0) end
            as qpv_population_with_presence_inside
    from spine
    left join sites_by_territory as s using (territory_level, territory_code, month_end)
    left join coverage_by_territory as c using (territory_level, territory_code, month_end)
    left join demand_by_territory as d using (territory_level, territory_code, month_end)
    left join satisfaction_by_territory as q using (territory_level, territory_code, month_end)
    left join outreach_by_territory as o using (territory_level, territory_code, month_end)
    left join qpv_by_territory as v using (territory_level, territory_code, month_end)
)

select * from final
