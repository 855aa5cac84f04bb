{% test dbt_utils_unique_combination(model, columns) %}
{#- Rows whose combination of `columns` appears more than once (dbt_utils needs a download). -#}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
