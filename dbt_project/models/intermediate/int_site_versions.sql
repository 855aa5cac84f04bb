-- The site versions of int_sites_history as dim_site publishes them, with the surrogate key
-- facts point to, the region of the version's commune, and a flag on each site's first
-- version (facts dated before a site's first loaded release are keyed to it).
with history as (
    select * from {{ ref('int_sites_history') }}
),

communes as (
    select commune_code, region_code from {{ ref('int_communes') }}
),

final as (
    select
        md5(history.site_id || '|' || cast(history.valid_from as string)) as site_key,
        history.site_id,
        history.valid_from,
        history.valid_to,
        history.valid_to is null as is_current,
        history.site_name,
        history.site_type,
        history.site_format,
        history.is_mobile,
        history.does_outreach,
        history.has_position,
        history.address,
        history.postcode,
        history.commune_code,
        history.department_code,
        communes.region_code,
        history.latitude,
        history.longitude,
        history.email,
        history.phone,
        history.hours_mon,
        history.hours_tue,
        history.hours_wed,
        history.hours_thu,
        history.hours_fri,
        history.hours_sat,
        history.hours_sun,
        history.weekly_opening_hours,
        history.days_open,
        history.charter_compliant,
        history.appointment_required,
        history.labelled_on,
        history.id_generated,
        history.is_demo,
        row_number() over (partition by history.site_id order by history.valid_from) = 1 as is_first
    from history
    left join communes on history.commune_code = communes.commune_code
)

select * from final
