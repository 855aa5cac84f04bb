-- The State's published figures beside the warehouse's own, per territory, month and indicator:
-- acts per month (DITP IND-323) against the requests of fct_demand, users' satisfaction
-- (IND-246, %) against the satisfied share of fct_satisfaction, and labelled France Services
-- (Etalab barometer) against the main sites open in the listing history at the month's end and
-- the main sites of the current listing labelled by the barometer's date.
with ditp as (
    select * from {{ ref('stg_barometer__ditp_values') }}
    where indicator is not null
),

ditp_published as (
    -- A month with no current value but a baseline (initial value) publishes the baseline.
    -- The 2024 exports write 0.0 as IND-246's baseline for every zone where they have none
    -- (the 2023 exports gave 91.8 for the Ain): a zero baseline is no measurement.
    select
        indicator,
        territory_level,
        territory_code,
        month_start,
        coalesce(
            max(value) filter (where measure = 'current'),
            max(nullif(value, 0)) filter (where measure = 'initial')
        ) as published_value,
        max(value) filter (where measure = 'target') as target_value,
        max(export_as_of) filter (where measure in ('current', 'initial', 'target')) as published_as_of,
        cast(null as date) as count_date
    from ditp
    group by indicator, territory_level, territory_code, month_start
),

etalab_published as (
    -- A month may hold several dates (detail and synthesis files): its latest date counts.
    select
        'labelled_sites' as indicator,
        territory_level,
        territory_code,
        cast(date_trunc('month', count_date) as date) as month_start,
        max_by(site_count, count_date) filter (where count_kind = 'published') as published_value,
        max_by(site_count, count_date) filter (where count_kind = 'target') as target_value,
        cast(null as date) as published_as_of,
        max(count_date) filter (where count_kind = 'published') as count_date
    from {{ ref('stg_barometer__counts') }}
    group by territory_level, territory_code, cast(date_trunc('month', count_date) as date)
),

published as (
    select * from ditp_published
    union all
    select * from etalab_published
),

territories as (
    select commune_code, territory_level, territory_code, region_code, department_code
    from {{ ref('int_commune_territories') }}
    where territory_level in ('region', 'department')
),

territory_codes as (
    select distinct territory_level, territory_code, region_code, department_code from territories
),

current_main_sites as (
    select labelled_on, region_code, department_code from {{ ref('dim_site') }}
    where is_current and site_type = 'main'
),

-- The current listing's main sites labelled on or before the barometer's date, by the region or
-- department of their commune: the listing as it stands today, read back to that date.
listing_labelled as (
    select
        published.territory_level,
        published.territory_code,
        published.month_start,
        count(sites.labelled_on) as listing_main_sites_labelled
    from published
    left join current_main_sites as sites
        on
            sites.labelled_on <= published.count_date
            and (
                published.territory_level = 'national'
                or (published.territory_level = 'region' and sites.region_code = published.territory_code)
                or (published.territory_level = 'department' and sites.department_code = published.territory_code)
            )
    where published.indicator = 'labelled_sites' and published.count_date is not null
    group by published.territory_level, published.territory_code, published.month_start
),

site_communes as (
    select site_key, commune_code from {{ ref('dim_site') }}
),

-- Facts are summed per commune and month first, then once nationally (every site, a commune
-- known or not) and once per region and department of the commune.
demand_by_commune as (
    select site_communes.commune_code, by_site.month_start, sum(by_site.requests) as requests
    from (
        select site_key, month_start, sum(requests) as requests
        from {{ ref('fct_demand') }}
        group by site_key, month_start
    ) as by_site
    join site_communes using (site_key)
    group by site_communes.commune_code, by_site.month_start
),

satisfaction_by_commune as (
    select
        site_communes.commune_code,
        fct.month_start,
        sum(fct.responses) as responses,
        sum(fct.satisfied) as satisfied
    from {{ ref('fct_satisfaction') }} as fct
    join site_communes using (site_key)
    group by site_communes.commune_code, fct.month_start
),

main_sites_by_commune as (
    select commune_code, cast(date_trunc('month', month_end) as date) as month_start, count(*) as sites_open
    from {{ ref('int_sites_open_monthly') }}
    where site_type = 'main'
    group by commune_code, cast(date_trunc('month', month_end) as date)
),

-- One long table: per indicator, commune and month, the amount (requests, satisfied answers,
-- open main sites) and for the satisfaction rate its base (responses).
commune_figures as (
    select
        'monthly_acts' as indicator, commune_code, month_start, requests as amount,
        cast(null as {{ fsw_hugeint() }}) as base
    from demand_by_commune
    union all
    select 'satisfaction_rate', commune_code, month_start, satisfied, responses  -- noqa: AL03
    from satisfaction_by_commune
    union all
    select 'labelled_sites', commune_code, month_start, sites_open, null  -- noqa: AL03
    from main_sites_by_commune
),

warehouse_sums as (
    select
        indicator, 'national' as territory_level, 'FR' as territory_code, month_start,
        sum(amount) as amount, sum(base) as base
    from commune_figures
    group by indicator, month_start
    union all
    select
        figures.indicator, territories.territory_level, territories.territory_code, figures.month_start,
        sum(figures.amount), sum(figures.base)  -- noqa: AL03
    from commune_figures as figures
    join territories using (commune_code)
    group by figures.indicator, territories.territory_level, territories.territory_code, figures.month_start
),

warehouse as (
    select
        indicator, territory_level, territory_code, month_start,
        cast(
            case when indicator = 'satisfaction_rate' then 100 * amount / nullif(base, 0) else amount end
            as double
        ) as warehouse_value
    from warehouse_sums
),

-- The months the warehouse has figures for: inside them a territory without requests or open
-- sites counts 0; outside them the warehouse says nothing (null).
warehouse_months as (
    select distinct 'monthly_acts' as indicator, month_start from demand_by_commune
    union all
    select distinct 'labelled_sites', month_start from main_sites_by_commune  -- noqa: AL03
),

compared as (
    select
        published.territory_level,
        published.territory_code,
        published.month_start,
        published.indicator,
        cast(published.published_value as double) as published_value,
        cast(published.target_value as double) as target_value,
        published.published_as_of,
        codes.region_code,
        codes.department_code,
        listing_labelled.listing_main_sites_labelled,
        case
            when warehouse.warehouse_value is not null then warehouse.warehouse_value
            when warehouse_months.indicator is not null then 0.0
        end as warehouse_value
    from published
    left join warehouse using (indicator, territory_level, territory_code, month_start)
    left join warehouse_months using (indicator, month_start)
    left join territory_codes as codes using (territory_level, territory_code)
    left join listing_labelled
        on
            published.indicator = 'labelled_sites'
            and listing_labelled.territory_level = published.territory_level
            and listing_labelled.territory_code = published.territory_code
            and listing_labelled.month_start = published.month_start
    where published.published_value is not null or published.target_value is not null
),

final as (
    select
        cast(territory_level as string) as territory_level,
        cast(territory_code as string) as territory_code,
        cast(month_start as date) as month_start,
        cast(indicator as string) as indicator,
        cast(region_code as string) as region_code,
        cast(department_code as string) as department_code,
        published_value,
        target_value,
        cast(published_as_of as date) as published_as_of,
        cast(warehouse_value as double) as warehouse_value,
        cast(warehouse_value - published_value as double) as gap,
        cast(warehouse_value / nullif(published_value, 0) as double) as ratio,
        cast(listing_main_sites_labelled as bigint) as listing_main_sites_labelled,
        cast(listing_main_sites_labelled - published_value as double) as listing_gap
    from compared
)

select * from final
