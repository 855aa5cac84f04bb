{% test national_equals_sum_of_regions(model) %}
-- For every month, the national row equals the sum of the regions for each additive column
-- (both null in a month without data).
{% set additive = ['population', 'sites_open', 'main_sites_open', 'antenna_sites_open', 'mobile_sites_open',
                   'population_within_30_min', 'requests', 'resolved_first_visit', 'requests_with_resolution',
                   'responses', 'satisfied', 'would_recommend', 'recommend_answers'] %}
with regions as (
    select month_end, {% for c in additive %}sum({{ c }}) as {{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ model }} where territory_level = 'region' group by month_end
),
national as (
    select * from {{ model }} where territory_level = 'national'
)
select national.month_end
from national join regions using (month_end)
where {% for c in additive %}national.{{ c }} is distinct from regions.{{ c }}{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
