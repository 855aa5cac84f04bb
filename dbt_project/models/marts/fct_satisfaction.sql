{{
  config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where month_start in ({{ refreshed_months('satisfaction') }}){% endif %}"
  )
}}
with answers as (
    select * from {{ ref('stg_satisfaction__answers') }}
    {% if is_incremental() %}
    where month_start in ({{ refreshed_months('satisfaction') }})
    {% endif %}
),

versions as (
    select * from {{ ref('int_activity_site_versions') }}
),

keyed as (
    select
        answers.*,
        coalesce(started.site_key, first_version.site_key) as site_key
    from answers
    asof left join versions as started
        on answers.site_id = started.site_id and answers.month_start >= started.valid_from
    left join versions as first_version
        on answers.site_id = first_version.site_id and first_version.is_first
),

build as (
    select max(refreshed_at) as loaded_at from {{ source('satisfaction', 'satisfaction_months') }}
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
