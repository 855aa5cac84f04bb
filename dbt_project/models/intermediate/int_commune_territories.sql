-- Every commune once per territory level it belongs to: national, region, department, EPCI.
-- A city with arrondissements (Paris, Lyon, Marseille) has no population of its own, so
-- summing over this table never counts anyone twice.
with communes as (
    select * from {{ ref('int_communes') }}
),

epci_department as (
    -- An EPCI may span departments: it is filed under the one holding most of its population.
    select epci_code, max_by(department_code, coalesce(population, 0)) as department_code
    from communes
    where epci_code is not null and epci_code <> 'ZZZZZZZZZ'
    group by epci_code
),

departments as (
    select distinct department_code, department_name, region_code from communes
),

final as (
    select
        commune_code, 'national' as territory_level, 'FR' as territory_code, 'France' as territory_name,
        cast(null as string) as region_code, cast(null as string) as department_code
    from communes
    union all
    -- union branches take the first branch's column names
    select commune_code, 'region', region_code, region_name, region_code, cast(null as string)  -- noqa: AL03, AL08
    from communes
    union all
    select
        commune_code, 'department', department_code, department_name,  -- noqa: AL03
        region_code, department_code  -- noqa: AL08
    from communes
    union all
    select
        communes.commune_code, 'epci', communes.epci_code, communes.epci_name,  -- noqa: AL03
        departments.region_code, epci_department.department_code
    from communes
    join epci_department using (epci_code)
    left join departments on departments.department_code = epci_department.department_code
)

select * from final
