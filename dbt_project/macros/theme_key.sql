{% macro theme_normalised(label) -%}
{#- A theme label as one spelling: accents stripped, lower case, runs of other characters as one space. -#}
lower(trim({{ replace_all(strip_accents(label), "'[^A-Za-z0-9]+'", "' '") }}))
{%- endmacro %}

{% macro theme_key(label) -%}
{#- The key of dim_theme: every spelling of a theme gives the same key. -#}
md5({{ theme_normalised(label) }})
{%- endmacro %}

{% macro replace_all(text, pattern, replacement) -%}
{#- Every match of the regular expression `pattern` in `text` replaced (DuckDB replaces only the first without 'g'). -#}
{{ return(adapter.dispatch('replace_all', 'france_services')(text, pattern, replacement)) }}
{%- endmacro %}
{% macro default__replace_all(text, pattern, replacement) %}regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'g'){% endmacro %}
{% macro spark__replace_all(text, pattern, replacement) %}regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}){% endmacro %}
