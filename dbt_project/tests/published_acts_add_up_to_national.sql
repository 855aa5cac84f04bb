-- Where the DITP barometer publishes acts for the nation and for every department (or region)
-- in a month, the departments (regions) add up to the national figure within the barometer's
-- own rounding. Acts are whole numbers in every export (`5018`, `5018.0`), and in the real
-- exports of 2023-11-22 and 2024-10-17 departments and regions sum exactly to the nation in
-- each published month (baseline 2022-05 and the 9 current months): the tolerance is half an
-- act. Targets are left out: the 2023 exports' yearly intermediate targets do not add up
-- (departments 484 to 712 acts short of the nation, regions 70,088 short in 2023-12).
-- A level counts in a month only when it is given in full (as many territories as in its
-- fullest month), so a quarantined department row does not fail the build.
with acts as (
    select * from {{ ref('mart_published_reconciliation') }}
    where indicator = 'monthly_acts' and published_value is not null
),

national as (
    select month_start, published_value from acts
    where territory_level = 'national'
),

levels as (
    select territory_level, month_start, sum(published_value) as total, count(*) as territories
    from acts
    where territory_level in ('region', 'department')
    group by territory_level, month_start
),

complete as (
    select territory_level, month_start, total
    from (
        select *, max(territories) over (partition by territory_level) as most_territories
        from levels
    ) as counted
    where territories = most_territories
)

select
    complete.territory_level,
    complete.month_start,
    complete.total,
    national.published_value as national_value
from complete
join national using (month_start)
where abs(complete.total - national.published_value) > 0.5
