with source as (
    select * from {{ source('outreach', 'outreach_places') }}
),

renamed as (
    select
        cast(load_id as string) as load_id,
        cast(source_row as bigint) as source_row,
        cast(place_id as string) as place_id,
        cast(source_place_id as string) as source_place_id,
        cast(site_id as string) as site_id,
        cast(structure_parente as string) as parent_structure,
        cast(place_name as string) as place_name,
        cast(address as string) as address,
        cast(postcode as string) as postcode,
        cast(commune_code as string) as commune_code,
        cast(commune_name as string) as commune_name,
        cast(department_code as string) as department_code,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(given_latitude as double) as given_latitude,
        cast(given_longitude as double) as given_longitude,
        cast(position_replaced as boolean) as position_replaced,
        cast(km_from_commune as double) as km_from_commune,
        cast(opening_hours as string) as opening_hours,
        cast(weeks_raw as string) as weeks_raw,
        cast(weeks as string) as weeks,
        cast(public_holidays_off as boolean) as public_holidays_off,
        cast(sessions as integer) as sessions,
        cast(hours_odd_week as double) as hours_odd_week,
        cast(hours_even_week as double) as hours_even_week,
        cast(hours_per_week_avg as double) as hours_per_week_avg,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(as_of as date) as as_of,
        cast(file_name as string) as file_name,
        cast(file_shape as string) as file_shape,
        cast(labels_nationaux as string) as national_labels,
        cast(is_demo as boolean) as is_demo,
        cast(extra as string) as extra
    from source
)

select * from renamed
