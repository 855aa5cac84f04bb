with source as (
    select * from {{ source('insee', 'insee_epcis') }}
),

renamed as (
    select
        cast(epci_code as varchar) as epci_code,
        cast(epci_name as varchar) as epci_name,
        cast(epci_nature as varchar) as epci_nature
    from source
)

select * from renamed
