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
        cast(case month(days.date_day)
            when 1 then 'janvier'
            when 2 then 'février'
            when 3 then 'mars'
            when 4 then 'avril'
            when 5 then 'mai'
            when 6 then 'juin'
            when 7 then 'juillet'
            when 8 then 'août'
            when 9 then 'septembre'
            when 10 then 'octobre'
            when 11 then 'novembre'
            when 12 then 'décembre'
        end as string) as month_name_fr,
        cast({{ iso_year('days.date_day') }} as integer) as iso_year,
        cast(weekofyear(days.date_day) as integer) as iso_week,
        cast({{ iso_day_of_week('days.date_day') }} as integer) as day_of_week,
        cast(case {{ iso_day_of_week('days.date_day') }}
            when 1 then 'lundi'
            when 2 then 'mardi'
            when 3 then 'mercredi'
            when 4 then 'jeudi'
            when 5 then 'vendredi'
            when 6 then 'samedi'
            when 7 then 'dimanche'
        end as string) as day_name_fr,
        {{ iso_day_of_week('days.date_day') }} >= 6 as is_weekend,
        holidays.holiday_date is not null as is_public_holiday,
        cast(holidays.holiday_name as string) as holiday_name,
        cast(date_trunc('month', days.date_day) as date) as month_start,
        cast(last_day(days.date_day) as date) as month_end
    from days
    left join holidays on days.date_day = holidays.holiday_date
)

select * from final
