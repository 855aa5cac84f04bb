with source as (
    select * from {{ source('barometer', 'barometer_ditp_revisions') }}
),

renamed as (
    select {{ ditp_columns() }}
    from source
)

select * from renamed
