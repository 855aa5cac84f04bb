{% test one_current_row_per_site(model) %}
-- Every site_id has at most one current version.
select site_id, count(*) as current_versions
from {{ model }}
where is_current
group by site_id
having count(*) > 1
{% endtest %}
