-- Every commune and municipal arrondissement with the names of its department, region and
-- EPCI: the commune as dim_commune publishes it, for the models that need communes.
with communes as (
    select * from {{ ref('stg_insee__communes') }}
),

departments as (
    select * from {{ ref('stg_insee__departments') }}
),

epcis as (
    select * from {{ ref('stg_insee__epci') }}
),

final as (
    select
        communes.commune_code,
        communes.commune_name,
        communes.commune_type,
        communes.parent_commune_code,
        communes.department_code,
        departments.department_name,
        departments.region_code,
        departments.region_name,
        communes.epci_code,
        epcis.epci_name,
        communes.population,
        communes.population_year,
        communes.population_source,
        communes.latitude,
        communes.longitude
    from communes
    left join departments on communes.department_code = departments.department_code
    left join epcis on communes.epci_code = epcis.epci_code
)

select * from final
