{% macro calendar_days() -%}
{#- One row per day the warehouse's calendar spans (dim_date), 2019-01-01 to 2030-12-31. -#}
{{ return(adapter.dispatch('calendar_days', 'france_services')()) }}
{%- endmacro %}

{% macro default__calendar_days() -%}
select cast(range as date) as date_day
from range(date '2019-01-01', date '2031-01-01', interval 1 day)
{%- endmacro %}

{% macro spark__calendar_days() -%}
select explode(sequence(date '2019-01-01', date '2030-12-31', interval 1 day)) as date_day
{%- endmacro %}
