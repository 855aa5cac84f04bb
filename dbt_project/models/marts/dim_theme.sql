-- Themes as local exports write them, normalised (case, accents, spaces) into one key.
with themes as (
    select theme_label, sum(requests) as requests
    from {{ ref('stg_activity__requests') }}
    group by theme_label
),

keyed as (
    select
        md5(lower(trim(regexp_replace(strip_accents(theme_label), '[^A-Za-z0-9]+', ' ', 'g')))) as theme_key,
        lower(trim(regexp_replace(strip_accents(theme_label), '[^A-Za-z0-9]+', ' ', 'g'))) as theme_normalised,
        theme_label,
        requests
    from themes
),

final as (
    select
        theme_key,
        theme_normalised,
        arg_max(theme_label, requests) as theme_name,
        count(*) as spellings
    from keyed
    group by theme_key, theme_normalised
)

select * from final
