with versions as (
    select * from {{ ref('int_site_versions') }}
),

final as (
    select
        site_key,
        site_id,
        valid_from,
        valid_to,
        is_current,
        site_name,
        site_type,
        site_format,
        is_mobile,
        does_outreach,
        has_position,
        address,
        postcode,
        commune_code,
        department_code,
        region_code,
        latitude,
        longitude,
        email,
        phone,
        hours_mon,
        hours_tue,
        hours_wed,
        hours_thu,
        hours_fri,
        hours_sat,
        hours_sun,
        weekly_opening_hours,
        days_open,
        charter_compliant,
        appointment_required,
        labelled_on,
        id_generated,
        is_demo
    from versions
)

select * from final
