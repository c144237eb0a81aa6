{#
    End-of-day balances of the capacity contract, one row per organization,
    contract and UTC day.
#}

with

source as (

    {{ organization_usage_source(
        'remaining_balance_daily',
        required=['contract_number', 'date', 'currency']
    ) }}

),

renamed as (

    select
        cast(organization_name as {{ dbt.type_string() }})
            as organization_name,
        cast(contract_number as {{ dbt.type_string() }}) as contract_number,
        cast("date" as date) as balance_date,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(free_usage_balance as {{ money_type() }}) as free_usage_balance,
        cast(capacity_balance as {{ money_type() }}) as capacity_balance,
        cast(on_demand_consumption_balance as {{ money_type() }})
            as on_demand_consumption_balance,
        cast(rollover_balance as {{ money_type() }}) as rollover_balance,
        cast(marketplace_capacity_drawdown_balance as {{ money_type() }})
            as marketplace_capacity_drawdown_balance

    from source

)

select * from renamed
