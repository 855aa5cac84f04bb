with partners as (
    select * from {{ ref('partners') }}
),

final as (
    select
        cast(partner_code as string) as partner_code,
        cast(partner_name as string) as partner_name,
        cast(is_national_partner as boolean) as is_national_partner
    from partners
)

select * from final
