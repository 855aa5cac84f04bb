{#- The typed columns of a DITP barometer table (raw.barometer_ditp_revisions and its current
    view raw.barometer_ditp share them): one staging shape for both. -#}
{% macro ditp_columns() %}
    cast(load_id as string) as load_id,
    cast(file_name as string) as file_name,
    cast(as_of as date) as export_as_of,
    cast(landed_at as {{ fsw_timestamptz() }}) as landed_at,
    cast(indicator_id as string) as indicator_id,
    cast(indicator as string) as indicator,
    cast(zone_id as string) as zone_id,
    cast(territory_level as string) as territory_level,
    cast(territory_code as string) as territory_code,
    cast(month_start as date) as month_start,
    cast(measure as string) as measure,
    cast(value as double) as value,
    cast(source_date as date) as source_date,
    cast(source_row as bigint) as source_row
{% endmacro %}
