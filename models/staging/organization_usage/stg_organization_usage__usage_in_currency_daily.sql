{#
    The invoice: daily usage and its amount in currency, one row per
    account, UTC day and charge line (service and usage type, balance source,
    billing and rating type, adjustment flag).
#}

with

source as (

    {{ organization_usage_source(
        'usage_in_currency_daily',
        required=[
            'account_name', 'usage_date', 'usage_in_currency', 'currency'
        ]
    ) }}

),

renamed as (

    select
        cast(organization_name as {{ dbt.type_string() }})
            as organization_name,
        cast(contract_number as {{ dbt.type_string() }}) as contract_number,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(account_locator as {{ dbt.type_string() }}) as account_locator,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(service_level as {{ dbt.type_string() }}) as service_level,
        cast(usage_date as date) as usage_date,
        cast(usage_type as {{ dbt.type_string() }}) as usage_type,
        cast(usage as decimal(38, 3)) as usage_quantity,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(usage_in_currency as {{ money_type() }}) as usage_in_currency,
        cast(balance_source as {{ dbt.type_string() }}) as balance_source,
        cast(billing_type as {{ dbt.type_string() }}) as billing_type,
        cast(rating_type as {{ dbt.type_string() }}) as rating_type,
        cast(service_type as {{ dbt.type_string() }}) as service_type,
        cast(is_adjustment as boolean) as is_adjustment

    from source

)

select * from renamed
