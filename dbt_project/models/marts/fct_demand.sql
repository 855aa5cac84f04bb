{{
  config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where month_start in ({{ refreshed_months('activity') }}){% endif %}"
  )
}}
-- Incremental by month: only months whose partition was rebuilt since the last build are
-- deleted and inserted again (a re-sent file replaces its site-months).
with requests as (
    select * from {{ ref('stg_activity__requests') }}
    {% if is_incremental() %}
    where month_start in ({{ refreshed_months('activity') }})
    {% endif %}
),

versions as (
    select * from {{ ref('int_activity_site_versions') }}
),

keyed as (
    select
        requests.*,
        coalesce(started.site_key, first_version.site_key) as site_key
    from requests
    asof left join versions as started
        on requests.site_id = started.site_id and requests.activity_date >= started.valid_from
    left join versions as first_version
        on requests.site_id = first_version.site_id and first_version.is_first
),

themes as (
    -- The key of each distinct label, computed a dozen times instead of once per row.
    select theme_label, {{ theme_key('theme_label') }} as theme_key
    from (select distinct theme_label from requests)
),

build as (
    select max(refreshed_at) as loaded_at from {{ source('activity', 'activity_months') }}
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
    group by themes.theme_key, keyed.site_key, keyed.site_id, keyed.activity_date, keyed.month_start, keyed.partner_code,
             keyed.theme_label, keyed.channel
)

select * from final
