-- The sessions each outreach place version holds in each month of its validity: a session
-- counts on every day of its weekday whose ISO week has its parity (`odd`/`even`, or `all`),
-- except the public holidays of dim_date when the place's hours say `PH off`. Open-ended
-- versions run to the end of the calendar (dim_date).
with places as (
    select * from {{ ref('int_outreach_place_links') }}
),

sessions as (
    select * from {{ ref('stg_outreach__sessions') }}
),

days as (
    select date_day, iso_week, day_of_week, is_public_holiday, month_end from {{ ref('dim_date') }}
),

place_months as (
    select distinct places.place_key, places.site_key, days.month_end
    from places
    join days
        on days.date_day >= places.valid_from and (places.valid_to is null or days.date_day < places.valid_to)
),

held as (
    select
        places.place_key,
        days.month_end,
        count(*) as sessions,
        sum(sessions.minutes) / 60 as hours
    from places
    join sessions on places.load_id = sessions.load_id and places.source_row = sessions.source_row
    join days
        on
            days.day_of_week = sessions.weekday
            and days.date_day >= places.valid_from
            and (places.valid_to is null or days.date_day < places.valid_to)
            and (
                sessions.weeks = 'all'
                or (sessions.weeks = 'odd' and days.iso_week % 2 = 1)
                or (sessions.weeks = 'even' and days.iso_week % 2 = 0)
            )
    where not (coalesce(places.public_holidays_off, false) and days.is_public_holiday)
    group by places.place_key, days.month_end
),

final as (
    select
        place_months.place_key,
        place_months.site_key,
        cast(place_months.month_end as date) as month_end,
        cast(date_trunc('month', place_months.month_end) as date) as month_start,
        cast(coalesce(held.sessions, 0) as integer) as sessions,
        cast(coalesce(held.hours, 0) as double) as hours
    from place_months
    left join held using (place_key, month_end)
)

select * from final
