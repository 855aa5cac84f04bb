{{
  config(
    materialized='incremental',
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'append'),
    partition_by=(['month_start'] if target.type == 'spark' else none),
    on_schema_change='fail',
    pre_hook=("{{ replace_refreshed_months(ref('stg_activity__months')) }}" if target.type != 'spark' else [])
  )
}}
-- Incremental by month (macros/refreshed_months.sql): the months whose partition was rebuilt
-- since the last build are deleted and appended again (a re-sent file replaces its site-months).
with requests as (
    select * from {{ ref('stg_activity__requests') }}
    {% if is_incremental() %}
    where month_start in ({{ refreshed_months(ref('stg_activity__months')) }})
    {% endif %}
),

months as (
    select * from {{ ref('stg_activity__months') }}
),

versions as (
    select * from {{ ref('int_site_versions') }}
),

keyed as (
    {{ site_key_as_of('requests', 'activity_date', 'versions') }}
),

themes as (
    -- The key of each distinct label: computed once per label, not once per row.
    select theme_label, {{ theme_key('theme_label') }} as theme_key
    from (select distinct theme_label from requests) as labels
),

build as (
    select max(refreshed_at) as loaded_at from months
),

final as (
    select
        keyed.site_key,
        keyed.site_id,
        keyed.activity_date as date_day,
        keyed.month_start,
        keyed.partner_code,
        themes.theme_key,
        keyed.channel,
        cast(sum(keyed.requests) as bigint) as requests,
        cast(sum(keyed.resolved_first_visit) as bigint) as resolved_first_visit,
        bool_or(keyed.is_monthly) as is_monthly,
        any_value(build.loaded_at) as loaded_at
    from keyed cross join build left join themes using (theme_label)
    group by
        themes.theme_key, keyed.site_key, keyed.site_id, keyed.activity_date, keyed.month_start, keyed.partner_code,
        keyed.theme_label, keyed.channel
)

select * from final
