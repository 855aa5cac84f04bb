{% macro theme_normalised(label) -%}
{#- A theme label as one spelling: accents stripped, lower case, runs of other characters as one space. -#}
lower(trim(regexp_replace(strip_accents({{ label }}), '[^A-Za-z0-9]+', ' ', 'g')))
{%- endmacro %}

{% macro theme_key(label) -%}
{#- The key of dim_theme: every spelling of a theme gives the same key. -#}
md5({{ theme_normalised(label) }})
{%- endmacro %}
