with versions as (
    select * from {{ ref('int_site_versions') }}
),

final as (
    select * exclude (is_first) from versions
)

select * from final
