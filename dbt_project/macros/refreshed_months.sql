{#-
  The monthly facts (fct_demand, fct_satisfaction) are incremental by month: each build
  deletes, in a pre-hook, the rows of every month whose raw partition was rebuilt since the
  fact's last build, then appends those months' rows anew (incremental_strategy 'append').
  A month counts as rebuilt when its `refreshed_at` is later than the newest `loaded_at` of
  the fact's rows.
  Why delete-then-append: dbt's `delete+insert` deletes only the months present in the new
  rows, so a month whose partition is now empty (every file of it superseded, `row_count` 0)
  would keep its old facts; and `merge` on the fact's grain would keep the rows a corrected
  re-send no longer has (a re-sent file may drop site-days).
-#}

{% macro refreshed_months(months_relation) -%}
{#- Months of `months_relation` (a stg_<source>__months) rebuilt since the last build of this model. -#}
select month_start from {{ months_relation }}
where refreshed_at > (select coalesce(max(loaded_at), cast('1900-01-01' as {{ fsw_timestamptz() }})) from {{ this }})
{%- endmacro %}

{% macro replace_refreshed_months(months_relation) -%}
{#- Pre-hook: on an incremental build, delete this model's rows of the refreshed months. -#}
{%- if is_incremental() -%}
delete from {{ this }} where month_start in ({{ refreshed_months(months_relation) }})
{%- endif -%}
{%- endmacro %}
