{% macro calendar_days() -%}
{#- One row per day the warehouse's calendar spans (dim_date), 2019-01-01 to 2030-12-31. -#}
select cast(range as date) as date_day
from range(date '2019-01-01', date '2031-01-01', interval 1 day)
{%- endmacro %}
