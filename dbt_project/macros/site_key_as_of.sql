{% macro site_key_as_of(facts, date_column, versions) -%}
{{ return(adapter.dispatch('site_key_as_of', 'france_services')(facts, date_column, versions)) }}
{%- endmacro %}

{% macro default__site_key_as_of(facts, date_column, versions) -%}
{#-
  Every row of the CTE `facts` with the `site_key` of its site's version valid at
  `date_column`: the latest version started on or before that date (an as-of join on
  `valid_from`). A date before the site's first loaded release takes its first version:
  listings are snapshots, and the site was labelled before it first appeared in one we loaded.
  `versions` is a CTE over int_site_versions (site_id, site_key, valid_from, is_first).
-#}
select
    {{ facts }}.*,
    coalesce(started.site_key, first_version.site_key) as site_key
from {{ facts }}
asof left join {{ versions }} as started
    on {{ facts }}.site_id = started.site_id and {{ facts }}.{{ date_column }} >= started.valid_from
left join {{ versions }} as first_version
    on {{ facts }}.site_id = first_version.site_id and first_version.is_first
{%- endmacro %}

{% macro spark__site_key_as_of(facts, date_column, versions) -%}
{#- Spark has no as-of join: the latest version started on or before each distinct site × date. -#}
select
    {{ facts }}.*,
    coalesce(started.site_key, first_version.site_key) as site_key
from {{ facts }}
left join (
    select dated.site_id, dated.fact_date, max_by(started_versions.site_key, started_versions.valid_from) as site_key
    from (select distinct site_id, {{ date_column }} as fact_date from {{ facts }}) as dated
    join {{ versions }} as started_versions
        on dated.site_id = started_versions.site_id and dated.fact_date >= started_versions.valid_from
    group by dated.site_id, dated.fact_date
) as started
    on {{ facts }}.site_id = started.site_id and {{ facts }}.{{ date_column }} = started.fact_date
left join {{ versions }} as first_version
    on {{ facts }}.site_id = first_version.site_id and first_version.is_first
{%- endmacro %}
