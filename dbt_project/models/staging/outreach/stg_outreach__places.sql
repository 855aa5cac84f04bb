with source as (
    select * from {{ source('outreach', 'outreach_places') }}
),

renamed as (
    select
        cast(load_id as varchar) as load_id,
        cast(source_row as bigint) as source_row,
        cast(place_id as varchar) as place_id,
        cast(source_place_id as varchar) as source_place_id,
        cast(site_id as varchar) as site_id,
        cast(structure_parente as varchar) as parent_structure,
        cast(place_name as varchar) as place_name,
        cast(address as varchar) as address,
        cast(postcode as varchar) as postcode,
        cast(commune_code as varchar) as commune_code,
        cast(commune_name as varchar) as commune_name,
        cast(department_code as varchar) as department_code,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(given_latitude as double) as given_latitude,
        cast(given_longitude as double) as given_longitude,
        cast(position_replaced as boolean) as position_replaced,
        cast(km_from_commune as double) as km_from_commune,
        cast(opening_hours as varchar) as opening_hours,
        cast(weeks_raw as varchar) as weeks_raw,
        cast(weeks as varchar) as weeks,
        cast(public_holidays_off as boolean) as public_holidays_off,
        cast(sessions as integer) as sessions,
        cast(hours_odd_week as double) as hours_odd_week,
        cast(hours_even_week as double) as hours_even_week,
        cast(hours_per_week_avg as double) as hours_per_week_avg,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(as_of as date) as as_of,
        cast(file_name as varchar) as file_name,
        cast(file_shape as varchar) as file_shape,
        cast(labels_nationaux as varchar) as national_labels,
        cast(is_demo as boolean) as is_demo,
        cast(extra as varchar) as extra
    from source
)

select * from renamed
