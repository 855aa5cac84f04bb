with source as (
    select * from {{ source('anct', 'site_listing') }}
),

renamed as (
    select
        cast(site_id as varchar) as site_id,
        cast(as_of as date) as as_of,
        cast(load_id as varchar) as load_id,
        cast(site_name as varchar) as site_name,
        cast(site_type as varchar) as site_type,
        cast(site_format as varchar) as site_format,
        cast(is_mobile as boolean) as is_mobile,
        cast(does_outreach as boolean) as does_outreach,
        cast(has_position as boolean) as has_position,
        cast(site_type_raw as varchar) as site_type_raw,
        cast(site_format_raw as varchar) as site_format_raw,
        cast(outreach_raw as varchar) as outreach_raw,
        cast(address as varchar) as address,
        cast(postcode as varchar) as postcode,
        cast(commune_code as varchar) as commune_code,
        cast(department_code as varchar) as department_code,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(email as varchar) as email,
        cast(phone as varchar) as phone,
        cast(hours_mon as varchar) as hours_mon,
        cast(hours_tue as varchar) as hours_tue,
        cast(hours_wed as varchar) as hours_wed,
        cast(hours_thu as varchar) as hours_thu,
        cast(hours_fri as varchar) as hours_fri,
        cast(hours_sat as varchar) as hours_sat,
        cast(hours_sun as varchar) as hours_sun,
        cast(weekly_opening_hours as double) as weekly_opening_hours,
        cast(days_open as integer) as days_open,
        cast(charter_compliant as boolean) as charter_compliant,
        cast(appointment_required as boolean) as appointment_required,
        cast(labelled_on as date) as labelled_on,
        cast(id_generated as boolean) as id_generated,
        cast(is_demo as boolean) as is_demo,
        cast(extra as varchar) as extra
    from source
)

select * from renamed
