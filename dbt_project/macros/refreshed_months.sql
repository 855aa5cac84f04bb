{#-
  The monthly facts (fct_demand, fct_satisfaction) are incremental by month. Each build
  deletes the rows of every month whose raw partition was rebuilt since the fact's last build
  (a pre-hook), then appends that month's rows anew (incremental_strategy 'append').
  Delete-then-append rather than dbt's `delete+insert` or `merge`: `delete+insert` deletes
  only the months present in the new rows, so a month whose partition is now empty (every
  file of it superseded or quarantined, `row_count` 0) would keep its old facts; and a fact
  row has no key that survives a re-sent file (it may drop site-days), so `merge` would keep
  rows the new file no longer has. A month is "rebuilt since the last build" when its
  `refreshed_at` is later than the latest `loaded_at` of the fact's rows.
-#}

{% macro refreshed_months(months_relation) -%}
{#- Months of `months_relation` (a stg_<source>__months) rebuilt since the last build of this model. -#}
select month_start from {{ months_relation }}
where refreshed_at > (select coalesce(max(loaded_at), timestamptz '1900-01-01') from {{ this }})
{%- endmacro %}

{% macro replace_refreshed_months(months_relation) -%}
{#- Pre-hook: on an incremental build, delete this model's rows of the refreshed months. -#}
{%- if is_incremental() -%}
delete from {{ this }} where month_start in ({{ refreshed_months(months_relation) }})
{%- endif -%}
{%- endmacro %}
