with source as (
    select * from {{ source('insee', 'insee_departments') }}
),

renamed as (
    select
        cast(department_code as varchar) as department_code,
        cast(department_name as varchar) as department_name,
        cast(region_code as varchar) as region_code,
        cast(region_name as varchar) as region_name
    from source
)

select * from renamed
