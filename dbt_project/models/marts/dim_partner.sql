with partners as (
    select * from {{ ref('partners') }}
),

final as (
    select
        cast(partner_code as varchar) as partner_code,
        cast(partner_name as varchar) as partner_name,
        cast(is_national_partner as boolean) as is_national_partner
    from partners
)

select * from final
