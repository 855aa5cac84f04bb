with source as (
    select * from {{ source('plan', 'site_proposals') }}
),

renamed as (
    select
        cast(pick as integer) as pick,
        cast(scope as varchar) as scope,
        cast(commune_code as varchar) as commune_code,
        cast(population_newly_covered as bigint) as population_newly_covered,
        cast(cumulative_population_covered as bigint) as cumulative_population_covered,
        cast(share_within_30_min_after as double) as share_within_30_min_after,
        cast(coverage_month as date) as coverage_month,
        cast(planned_at as timestamptz) as planned_at
    from source
)

select * from renamed
