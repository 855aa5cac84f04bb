with days as (
    {{ calendar_days() }}
),

holidays as (
    select * from {{ ref('french_public_holidays') }}
),

final as (
    select
        days.date_day,
        cast(year(days.date_day) as integer) as year,
        cast(quarter(days.date_day) as integer) as quarter,
        cast(month(days.date_day) as integer) as month,
        cast(
            [
                'janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
                'septembre', 'octobre', 'novembre', 'décembre'
            ][month(days.date_day)
            ] as varchar
        ) as month_name_fr,
        cast(isoyear(days.date_day) as integer) as iso_year,
        cast(weekofyear(days.date_day) as integer) as iso_week,
        cast(isodow(days.date_day) as integer) as day_of_week,
        cast(
            ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'][isodow(days.date_day)] as varchar
        ) as day_name_fr,
        isodow(days.date_day) >= 6 as is_weekend,
        holidays.holiday_date is not null as is_public_holiday,
        cast(holidays.holiday_name as varchar) as holiday_name,
        cast(date_trunc('month', days.date_day) as date) as month_start,
        cast(last_day(days.date_day) as date) as month_end
    from days
    left join holidays on days.date_day = holidays.holiday_date
)

select * from final
