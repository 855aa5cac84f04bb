with source as (
    select * from {{ source('insee', 'insee_departments') }}
),

renamed as (
    select
        cast(department_code as string) as department_code,
        cast(department_name as string) as department_name,
        cast(region_code as string) as region_code,
        cast(region_name as string) as region_name
    from source
)

select * from renamed
