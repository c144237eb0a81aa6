{#
    Items of the active capacity contract, one row per organization,
    contract, item and start date. Amounts are money, not credits.
#}

with

source as (

    {{ organization_usage_source(
        'contract_items',
        required=['contract_number', 'contract_item', 'amount', 'currency']
    ) }}

),

renamed as (

    select
        cast(organization_name as {{ dbt.type_string() }})
            as organization_name,
        cast(contract_number as {{ dbt.type_string() }}) as contract_number,
        cast(contract_item as {{ dbt.type_string() }}) as contract_item,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(expiration_date as date) as expiration_date,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(amount as {{ money_type() }}) as amount,
        cast(contract_modified_date as date) as contract_modified_date

    from source

)

select * from renamed
