with communes as (
    select * from {{ ref('int_communes') }}
),

final as (
    select * from communes
)

select * from final
