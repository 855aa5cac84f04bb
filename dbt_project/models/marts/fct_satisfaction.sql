{{
  config(
    materialized='incremental',
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'append'),
    partition_by=(['month_start'] if target.type == 'spark' else none),
    on_schema_change='fail',
    pre_hook=("{{ replace_refreshed_months(ref('stg_satisfaction__months')) }}" if target.type != 'spark' else [])
  )
}}
-- Incremental by month (macros/refreshed_months.sql), like fct_demand.
with answers as (
    select * from {{ ref('stg_satisfaction__answers') }}
    {% if is_incremental() %}
    where month_start in ({{ refreshed_months(ref('stg_satisfaction__months')) }})
    {% endif %}
),

months as (
    select * from {{ ref('stg_satisfaction__months') }}
),

versions as (
    select * from {{ ref('int_site_versions') }}
),

keyed as (
    {{ site_key_as_of('answers', 'month_start', 'versions') }}
),

build as (
    select max(refreshed_at) as loaded_at from months
),

final as (
    select
        keyed.site_key,
        keyed.site_id,
        keyed.month_start,
        count(*) as responses,
        count(*) filter (where keyed.is_satisfied) as satisfied,
        count(*) filter (where keyed.would_recommend) as would_recommend,
        count(keyed.would_recommend) as recommend_answers,
        avg(keyed.satisfaction_score) as mean_score,
        any_value(build.loaded_at) as loaded_at
    from keyed cross join build
    group by keyed.site_key, keyed.site_id, keyed.month_start
)

select * from final
