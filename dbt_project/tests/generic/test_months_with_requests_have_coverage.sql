{% test months_with_requests_have_coverage(model) %}
-- Every national month with requests that the listing history describes (from its first
-- release's month to the last month a release describes, where fct_coverage is computed) has
-- its share within 30 minutes: activity and coverage meet. Requests outside those months (a
-- real export older than the first real release) have no coverage to meet.
with described as (
    select distinct month_end from {{ ref('int_sites_open_monthly') }}
    where has_position and month_end >= (select last_day(min(valid_from)) from {{ ref('int_site_versions') }})
)
select month_end, requests from {{ model }}
where
    territory_level = 'national'
    and requests > 0
    and share_within_30_min is null
    and month_end in (select month_end from described)
{% endtest %}
