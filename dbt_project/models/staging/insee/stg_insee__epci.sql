with source as (
    select * from {{ source('insee', 'insee_epcis') }}
),

renamed as (
    select
        cast(epci_code as string) as epci_code,
        cast(epci_name as string) as epci_name,
        cast(epci_nature as string) as epci_nature
    from source
)

select * from renamed
