-- Themes as local exports write them, normalised (case, accents, spaces) into one key.
with themes as (
    select theme_label, sum(requests) as requests
    from {{ ref('stg_activity__requests') }}
    group by theme_label
),

keyed as (
    select
        {{ theme_key('theme_label') }} as theme_key,
        {{ theme_normalised('theme_label') }} as theme_normalised,
        theme_label,
        requests
    from themes
),

final as (
    select
        theme_key,
        theme_normalised,
        max_by(theme_label, requests) as theme_name,
        count(*) as spellings
    from keyed
    group by theme_key, theme_normalised
)

select * from final
