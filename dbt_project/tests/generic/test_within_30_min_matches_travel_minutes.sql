{% test within_30_min_matches_travel_minutes(model) %}
-- within_30_min must say exactly travel_minutes ≤ threshold.
select commune_code, month_end, travel_minutes, within_30_min from {{ model }}
where within_30_min is distinct from (travel_minutes <= {{ var('travel_threshold_minutes') }})
{% endtest %}
