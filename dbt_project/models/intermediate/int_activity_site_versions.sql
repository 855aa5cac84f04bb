-- The site version (site_key) valid at a date: the version started on or before that date;
-- for dates before a site's first listing release, its first version (listings are snapshots
-- and the site was labelled before it first appeared in one we loaded).
with versions as (
    select site_id, site_key, valid_from, valid_to,
           row_number() over (partition by site_id order by valid_from) = 1 as is_first
    from {{ ref('dim_site') }}
)

select * from versions
