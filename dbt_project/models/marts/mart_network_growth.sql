with sites as (
    select * from {{ ref('dim_site') }}
),

published as (
    select * from {{ ref('stg_barometer__counts') }}
    where territory_level = 'national'
),

bounds as (
    select
        min(valid_from) as first_listing, max(coalesce(valid_to, valid_from)) as last_listing,
        max(valid_from) as last_start
    from sites
),

months as (
    select distinct month_end
    from {{ ref('dim_date') }}, bounds
    where
        month_end >= date '2020-01-31'
        and month_end <= last_day(greatest(bounds.last_listing, bounds.last_start, date '2020-01-31'))
),

from_history as (
    select
        months.month_end,
        count(sites.site_key) as sites_open,
        count(sites.site_key) filter (where sites.site_type = 'main') as main_sites_open,
        count(sites.site_key) filter (where sites.site_type = 'antenna') as antenna_sites_open,
        count(sites.site_key) filter (where sites.is_mobile) as mobile_sites_open
    from months
    left join sites
        on
            sites.valid_from <= months.month_end
            and (sites.valid_to is null or sites.valid_to > months.month_end)
    group by months.month_end
),

from_labelling as (
    select
        months.month_end,
        count(sites.site_key) as sites_labelled,
        count(sites.site_key) filter (where sites.site_type = 'main') as main_sites_labelled,
        count(sites.site_key) filter (where sites.site_type = 'antenna') as antenna_sites_labelled,
        count(sites.site_key) filter (where sites.is_mobile) as mobile_sites_labelled
    from months
    left join sites
        on sites.is_current and sites.labelled_on <= months.month_end
    group by months.month_end
),

final as (
    select
        months.month_end,
        case when months.month_end >= bounds.first_listing then from_history.sites_open end as sites_open,
        case when months.month_end >= bounds.first_listing then from_history.main_sites_open end as main_sites_open,
        case when months.month_end >= bounds.first_listing then from_history.antenna_sites_open end
            as antenna_sites_open,
        case when months.month_end >= bounds.first_listing then from_history.mobile_sites_open end as mobile_sites_open,
        from_labelling.sites_labelled,
        from_labelling.main_sites_labelled,
        from_labelling.antenna_sites_labelled,
        from_labelling.mobile_sites_labelled,
        cast(case year(months.month_end) when 2022 then 2500 when 2023 then 2750 end as integer) as year_end_target,
        cast(count_published.site_count as bigint) as published_sites,
        cast(count_target.site_count as bigint) as published_target,
        cast(from_labelling.main_sites_labelled - count_published.site_count as bigint) as gap_labelled_vs_published
    from months
    cross join bounds
    join from_history using (month_end)
    join from_labelling using (month_end)
    left join published as count_published
        on count_published.count_date = months.month_end and count_published.count_kind = 'published'
    left join published as count_target
        on count_target.count_date = months.month_end and count_target.count_kind = 'target'
)

select * from final
