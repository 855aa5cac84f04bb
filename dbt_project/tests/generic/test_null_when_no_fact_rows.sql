{% test null_when_no_fact_rows(model, column_name, facts, fact_month) %}
-- A mart month holds `column_name` exactly when `facts` has rows in that month anywhere:
-- null (no data) for a month without any, never null (0 at the least) for a month with some.
with fact_months as (
    select distinct last_day({{ fact_month }}) as month_end from {{ facts }}
)
select mart.month_end, mart.{{ column_name }}
from {{ model }} as mart
left join fact_months on mart.month_end = fact_months.month_end
where (mart.{{ column_name }} is null) <> (fact_months.month_end is null)
{% endtest %}
