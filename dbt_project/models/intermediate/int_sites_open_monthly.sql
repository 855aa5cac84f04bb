-- One row per site version open at each month end. A version is open from valid_from to
-- valid_to (exclusive). Before a site's first release we loaded, its labelling date says
-- when it opened (listings are snapshots: the 2024 file alone still tells when each site
-- was labelled).
with versions as (
    select * from {{ ref('int_site_versions') }}
),

calendar as (
    {{ calendar_days() }}
),

month_ends as (
    select distinct cast(last_day(date_day) as date) as month_end from calendar
),

months as (
    -- From the network's start to the last month a loaded release describes.
    select month_end from month_ends
    where
        month_end >= date '2020-01-31'
        and month_end <= (select last_day(max(coalesce(valid_to - 1, valid_from))) from versions)
),

final as (
    select
        months.month_end,
        versions.site_key,
        versions.site_id,
        versions.site_type,
        versions.is_mobile,
        versions.does_outreach,
        versions.has_position,
        versions.commune_code,
        versions.latitude,
        versions.longitude
    from months
    join versions
        on
            (
                versions.valid_from <= months.month_end
                and (versions.valid_to is null or versions.valid_to > months.month_end)
            )
            or (
                versions.is_first
                and versions.valid_from > months.month_end
                and versions.labelled_on <= months.month_end
            )
)

select * from final
