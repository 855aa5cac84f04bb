with source as (
    select * from {{ source('anct', 'site_listing') }}
),

renamed as (
    select
        cast(site_id as string) as site_id,
        cast(as_of as date) as as_of,
        cast(load_id as string) as load_id,
        cast(site_name as string) as site_name,
        cast(site_type as string) as site_type,
        cast(site_format as string) as site_format,
        cast(is_mobile as boolean) as is_mobile,
        cast(does_outreach as boolean) as does_outreach,
        cast(has_position as boolean) as has_position,
        cast(site_type_raw as string) as site_type_raw,
        cast(site_format_raw as string) as site_format_raw,
        cast(outreach_raw as string) as outreach_raw,
        cast(address as string) as address,
        cast(postcode as string) as postcode,
        cast(commune_code as string) as commune_code,
        cast(department_code as string) as department_code,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(email as string) as email,
        cast(phone as string) as phone,
        cast(hours_mon as string) as hours_mon,
        cast(hours_tue as string) as hours_tue,
        cast(hours_wed as string) as hours_wed,
        cast(hours_thu as string) as hours_thu,
        cast(hours_fri as string) as hours_fri,
        cast(hours_sat as string) as hours_sat,
        cast(hours_sun as string) as hours_sun,
        cast(weekly_opening_hours as double) as weekly_opening_hours,
        cast(days_open as integer) as days_open,
        cast(charter_compliant as boolean) as charter_compliant,
        cast(appointment_required as boolean) as appointment_required,
        cast(labelled_on as date) as labelled_on,
        cast(id_generated as boolean) as id_generated,
        cast(is_demo as boolean) as is_demo,
        cast(extra as string) as extra
    from source
)

select * from renamed
