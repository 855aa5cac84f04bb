{% test national_population_equals_communes(model) %}
-- The national population is the sum of the communes' (cities with arrondissements carry none).
select month_end, population from {{ model }}
where territory_level = 'national'
  and population <> (select sum(coalesce(population, 0)) from {{ ref('dim_commune') }})
{% endtest %}
