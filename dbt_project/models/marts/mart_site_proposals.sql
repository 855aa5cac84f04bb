with proposals as (
    select * from {{ ref('stg_plan__site_proposals') }}
),

communes as (
    select commune_code, commune_name, department_code, department_name, region_code from {{ ref('dim_commune') }}
),

final as (
    select
        proposals.pick,
        proposals.scope,
        proposals.commune_code,
        communes.commune_name,
        communes.department_code,
        communes.department_name,
        communes.region_code,
        proposals.population_newly_covered,
        proposals.cumulative_population_covered,
        proposals.share_within_30_min_after,
        proposals.coverage_month,
        proposals.planned_at
    from proposals
    left join communes using (commune_code)
)

select * from final
