-- The listing against the official published counts (Etalab barometer), for every date and
-- territory the barometer publishes: main sites of the current listing labelled by that date,
-- by the region/department of their commune.
with published as (
    select * from {{ ref('stg_barometer__counts') }}
    where count_kind = 'published'
),

targets as (
    select * from {{ ref('stg_barometer__counts') }}
    where count_kind = 'target'
),

sites as (
    select * from {{ ref('dim_site') }}
    where is_current and site_type = 'main'
),

labelled as (
    select
        published.territory_level,
        published.territory_code,
        published.count_date,
        count(sites.site_key) as listing_main_sites_labelled
    from published
    left join sites
        on
            sites.labelled_on <= published.count_date
            and (
                published.territory_level = 'national'
                or (published.territory_level = 'region' and sites.region_code = published.territory_code)
                or (published.territory_level = 'department' and sites.department_code = published.territory_code)
            )
    group by all
),

final as (
    select
        published.territory_level,
        published.territory_code,
        published.count_date,
        published.site_count as published_sites,
        targets.site_count as published_target,
        labelled.listing_main_sites_labelled,
        labelled.listing_main_sites_labelled - published.site_count as gap
    from published
    join labelled using (territory_level, territory_code, count_date)
    left join targets using (territory_level, territory_code, count_date)
)

select * from final
