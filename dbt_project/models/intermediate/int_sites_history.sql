-- SCD2 windows of each site across full releases of the listing.
-- A new version starts when a site first appears, reappears after missing from a release,
-- or changes a tracked attribute (name, address, commune, type/format/outreach, opening hours) or
-- moves more than 50 m. A version ends (valid_to, exclusive) at the as-of date of the first
-- release where the site is absent or changed.
with rows as (
    select * from {{ ref('stg_anct__sites') }}
),

releases as (
    select as_of, row_number() over (order by as_of) as release_index
    from (select distinct as_of from rows) as release_dates
),

tracked as (
    select
        rows.*,
        releases.release_index,
        md5(concat_ws(
            '|',
            coalesce(site_name, ''), coalesce(address, ''), coalesce(commune_code, ''),
            coalesce(site_type, ''), coalesce(site_format, ''), coalesce(cast(does_outreach as string), '?'),
            coalesce(hours_mon, '?'), coalesce(hours_tue, '?'), coalesce(hours_wed, '?'),
            coalesce(hours_thu, '?'), coalesce(hours_fri, '?'), coalesce(hours_sat, '?'),
            coalesce(hours_sun, '?')
        )) as attributes_hash
    from rows
    join releases using (as_of)
),

compared as (
    select
        *,
        lag(release_index) over w as previous_release_index,
        lag(attributes_hash) over w as previous_hash,
        lag(latitude) over w as previous_latitude,
        lag(longitude) over w as previous_longitude
    from tracked
    window w as (partition by site_id order by as_of)
),

flagged as (
    select
        *,
        case
            when previous_release_index is null then true
            when previous_release_index <> release_index - 1 then true
            when previous_hash <> attributes_hash then true
            when
                latitude is not null and previous_latitude is not null
                and {{ haversine_km('latitude', 'longitude', 'previous_latitude', 'previous_longitude') }} > 0.05
                then true
            when (latitude is null) <> (previous_latitude is null) then true
            else false
        end as starts_version
    from compared
),

versioned as (
    select
        *,
        sum(case when starts_version then 1 else 0 end) over (
            partition by site_id order by as_of rows unbounded preceding
        ) as version_number
    from flagged
),

windows as (
    select
        site_id,
        version_number,
        min(as_of) as valid_from,
        max(release_index) as last_release_index,
        max_by(load_id, as_of) as load_id
    from versioned
    group by site_id, version_number
),

final as (
    select
        windows.site_id,
        windows.version_number,
        windows.valid_from,
        next_release.as_of as valid_to,
        versioned.site_name, versioned.site_type, versioned.site_format, versioned.is_mobile,
        versioned.does_outreach, versioned.has_position, versioned.site_type_raw, versioned.site_format_raw,
        versioned.outreach_raw, versioned.address, versioned.postcode, versioned.commune_code,
        versioned.department_code, versioned.latitude, versioned.longitude, versioned.email, versioned.phone,
        versioned.hours_mon, versioned.hours_tue, versioned.hours_wed, versioned.hours_thu,
        versioned.hours_fri, versioned.hours_sat, versioned.hours_sun, versioned.weekly_opening_hours,
        versioned.days_open, versioned.charter_compliant, versioned.appointment_required,
        versioned.labelled_on, versioned.id_generated, versioned.is_demo, versioned.extra,
        windows.load_id as last_load_id
    from windows
    join versioned
        on
            versioned.site_id = windows.site_id
            and versioned.version_number = windows.version_number
            and versioned.release_index = windows.last_release_index
    left join releases as next_release
        on next_release.release_index = windows.last_release_index + 1
)

select * from final
