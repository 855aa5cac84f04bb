with source as (
    select * from {{ source('plan', 'site_proposals') }}
),

renamed as (
    select
        cast(pick as integer) as pick,
        cast(scope as string) as scope,
        cast(commune_code as string) as commune_code,
        cast(population_newly_covered as bigint) as population_newly_covered,
        cast(cumulative_population_covered as bigint) as cumulative_population_covered,
        cast(share_within_30_min_after as double) as share_within_30_min_after,
        cast(coverage_month as date) as coverage_month,
        cast(planned_at as {{ fsw_timestamptz() }}) as planned_at
    from source
)

select * from renamed
