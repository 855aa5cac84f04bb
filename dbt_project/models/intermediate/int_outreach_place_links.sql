-- Each outreach place version linked to its France Services site (issue 17 part 2):
-- 1. by the file's site_id when it names a known site;
-- 2. else, per load × parent structure, to the mobile (bus, itinerant) site of the places'
--    department nearest to their centroid within 60 km; when several qualify, the one whose
--    name or commune shares most words with structure_parente, then the nearest;
-- 3. else unlinked (site_id null), kept.
-- A version starts at the file's valid_from, or its as-of date when the file gives none (lieux
-- files), and ends at its valid_to or when a newer version of the place starts. Its site_key is
-- the site version open at that start (macro site_key_as_of).
with places as (
    select
        *,
        coalesce(valid_from, as_of) as version_from
    from {{ ref('stg_outreach__places') }}
),

-- One version per place and start: the newest load describing it wins.
deduplicated as (
    select *
    from (
        select
            *,
            row_number() over (partition by place_id, version_from order by as_of desc, load_id desc) as newest
        from places
    ) as ranked
    where newest = 1
),

versions as (
    select
        *,
        least(
            valid_to, lead(version_from) over (partition by place_id order by version_from)
        ) as version_to
    from deduplicated
),

site_versions as (
    select * from {{ ref('int_site_versions') }}
),

communes as (
    select commune_code, commune_name, region_code from {{ ref('int_communes') }}
),

known_sites as (
    select distinct site_id from site_versions
),

-- The parent structures to link by position: their places' centroid and department.
structures as (
    select
        load_id,
        parent_structure,
        mode(department_code) as department_code,
        avg(latitude) as latitude,
        avg(longitude) as longitude,
        min(version_from) as version_from,
        {{ words_of("coalesce(parent_structure, '')") }} as tokens
    from versions
    where site_id is null or site_id not in (select site_id from known_sites)
    group by load_id, parent_structure
),

-- Mobile sites as the listing describes them: the version open at the structure's start,
-- else the site's latest.
mobile_sites as (
    select
        site_versions.site_id,
        site_versions.department_code,
        site_versions.latitude,
        site_versions.longitude,
        site_versions.valid_from,
        site_versions.valid_to,
        site_versions.is_current,
        {{ words_of("coalesce(site_versions.site_name, '') || ' ' || coalesce(communes.commune_name, '')") }}
            as tokens
    from site_versions
    left join communes on site_versions.commune_code = communes.commune_code
    where (site_versions.is_mobile or site_versions.does_outreach) and site_versions.latitude is not null
),

candidates as (
    select
        structures.load_id,
        structures.parent_structure,
        mobile_sites.site_id,
        {{ haversine_km(
            'structures.latitude', 'structures.longitude', 'mobile_sites.latitude', 'mobile_sites.longitude'
        ) }} as distance_km,
        {{ shared_words('structures.tokens', 'mobile_sites.tokens') }} as shared_words,
        structures.version_from >= mobile_sites.valid_from
        and (mobile_sites.valid_to is null or structures.version_from < mobile_sites.valid_to) as open_at_start,
        mobile_sites.is_current
    from structures
    join mobile_sites on structures.department_code = mobile_sites.department_code
),

-- One row per site among the candidates: its version open at the start, else its current one.
candidate_sites as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by load_id, parent_structure, site_id order by open_at_start desc, is_current desc
            ) as preferred
        from candidates
    ) as ranked
    where preferred = 1
),

by_position as (
    select load_id, parent_structure, site_id, distance_km
    from (
        select
            *,
            row_number() over (
                partition by load_id, parent_structure order by shared_words desc, distance_km asc, site_id asc
            ) as best
        from candidate_sites
        where distance_km <= 60
    ) as ranked
    where best = 1
),

linked as (
    select
        versions.*,
        case
            when versions.site_id in (select site_id from known_sites) then versions.site_id
            else by_position.site_id
        end as linked_site_id,
        case
            when versions.site_id in (select site_id from known_sites) then 'site_id'
            when by_position.site_id is not null then 'nearest_mobile_site'
            else 'unlinked'
        end as link_method,
        by_position.distance_km as link_distance_km
    from versions
    left join by_position
        on
            versions.load_id = by_position.load_id
            and versions.parent_structure is not distinct from by_position.parent_structure
),

facts as (
    select
        place_id, version_from, version_to, link_method, link_distance_km, parent_structure, place_name, address,
        postcode, commune_code, commune_name, department_code, latitude, longitude, position_replaced,
        opening_hours, weeks, public_holidays_off, sessions, hours_odd_week, hours_even_week, hours_per_week_avg,
        load_id, source_row, file_name, is_demo,
        site_id as source_site_id,
        linked_site_id as site_id
    from linked
),

keyed_versions as (
    select site_id, site_key, valid_from, is_first from site_versions
),

keyed as (
    {{ site_key_as_of('facts', 'version_from', 'keyed_versions') }}
),

final as (
    select
        md5(keyed.place_id || '|' || cast(keyed.version_from as string)) as place_key,
        keyed.place_id,
        case when keyed.site_id is not null then keyed.site_key end as site_key,
        keyed.site_id,
        keyed.link_method,
        keyed.link_distance_km,
        keyed.source_site_id,
        keyed.parent_structure,
        keyed.place_name,
        keyed.address,
        keyed.postcode,
        keyed.commune_code,
        keyed.commune_name,
        keyed.department_code,
        communes.region_code,
        keyed.latitude,
        keyed.longitude,
        keyed.position_replaced,
        keyed.opening_hours,
        keyed.weeks,
        keyed.public_holidays_off,
        keyed.sessions,
        keyed.hours_odd_week,
        keyed.hours_even_week,
        keyed.hours_per_week_avg,
        keyed.version_from as valid_from,
        keyed.version_to as valid_to,
        keyed.version_to is null as is_current,
        keyed.load_id,
        keyed.source_row,
        keyed.file_name,
        keyed.is_demo
    from keyed
    left join communes on keyed.commune_code = communes.commune_code
)

select * from final
