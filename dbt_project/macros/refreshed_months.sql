{% macro refreshed_months(months_source) -%}
{#- Months whose raw partition was rebuilt since this incremental model's last build. -#}
select month from {{ source(months_source, months_source ~ '_months') }}
where refreshed_at > (select coalesce(max(loaded_at), timestamptz '1900-01-01') from {{ this }})
{%- endmacro %}
