{#- Types and functions the two engines (FSW_ENGINE: DuckDB, Spark) spell differently. The
    DuckDB spelling is the default; `spark__` macros are dbt-spark's. -#}

{% macro fsw_timestamptz() -%}
{#- An instant (UTC). Spark's `timestamp` is one (shown in the session time zone, UTC). -#}
{{ return(adapter.dispatch('fsw_timestamptz', 'france_services')()) }}
{%- endmacro %}
{% macro default__fsw_timestamptz() %}timestamptz{% endmacro %}
{% macro spark__fsw_timestamptz() %}timestamp{% endmacro %}

{% macro fsw_time() -%}
{#- A time of day. Spark has no such type: `HH:MM:SS` text (what the lake export writes). -#}
{{ return(adapter.dispatch('fsw_time', 'france_services')()) }}
{%- endmacro %}
{% macro default__fsw_time() %}time{% endmacro %}
{% macro spark__fsw_time() %}string{% endmacro %}

{% macro fsw_hugeint() -%}
{#- A sum of bigints that cannot overflow. Spark's widest integer is bigint. -#}
{{ return(adapter.dispatch('fsw_hugeint', 'france_services')()) }}
{%- endmacro %}
{% macro default__fsw_hugeint() %}hugeint{% endmacro %}
{% macro spark__fsw_hugeint() %}bigint{% endmacro %}

{% macro strip_accents(text) -%}
{#- `text` without its diacritics (é → e). -#}
{{ return(adapter.dispatch('strip_accents', 'france_services')(text)) }}
{%- endmacro %}
{% macro default__strip_accents(text) %}strip_accents({{ text }}){% endmacro %}
{% macro spark__strip_accents(text) -%}
reflect('org.apache.commons.lang3.StringUtils', 'stripAccents', {{ text }})
{%- endmacro %}

{% macro words_of(text) -%}
{#- The words of at least 3 letters or digits of `text` (lower case, accents stripped), as a list. -#}
{{ return(adapter.dispatch('words_of', 'france_services')(text)) }}
{%- endmacro %}
{% macro default__words_of(text) -%}
list_filter(
    regexp_split_to_array(lower({{ strip_accents(text) }}), '[^a-z0-9]+'),
    lambda token: length(token) >= 3
)
{%- endmacro %}
{% macro spark__words_of(text) -%}
filter(split(lower({{ strip_accents(text) }}), '[^a-z0-9]+'), token -> length(token) >= 3)
{%- endmacro %}

{% macro shared_words(left, right) -%}
{#- How many distinct words two lists of `words_of` have in common. -#}
{{ return(adapter.dispatch('shared_words', 'france_services')(left, right)) }}
{%- endmacro %}
{% macro default__shared_words(left, right) %}len(list_intersect({{ left }}, {{ right }})){% endmacro %}
{% macro spark__shared_words(left, right) %}size(array_intersect({{ left }}, {{ right }})){% endmacro %}

{% macro iso_year(day) -%}
{{ return(adapter.dispatch('iso_year', 'france_services')(day)) }}
{%- endmacro %}
{% macro default__iso_year(day) %}isoyear({{ day }}){% endmacro %}
{% macro spark__iso_year(day) %}extract(yearofweek from {{ day }}){% endmacro %}

{% macro iso_day_of_week(day) -%}
{#- 1 (Monday) to 7 (Sunday). -#}
{{ return(adapter.dispatch('iso_day_of_week', 'france_services')(day)) }}
{%- endmacro %}
{% macro default__iso_day_of_week(day) %}isodow({{ day }}){% endmacro %}
{% macro spark__iso_day_of_week(day) %}extract(dow_iso from {{ day }}){% endmacro %}
