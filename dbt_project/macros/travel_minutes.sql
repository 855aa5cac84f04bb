{% macro travel_minutes(distance_km) -%}
{#- Straight-line km to road minutes: × detour factor, at a mean speed (vars, see README). -#}
({{ distance_km }} * {{ var('travel_detour_factor') }} / {{ var('travel_speed_kmh') }} * 60.0)
{%- endmacro %}
