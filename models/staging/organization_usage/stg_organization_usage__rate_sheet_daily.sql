{#
    Effective price per unit, one row per UTC day, account and charge line
    (usage and service type, rating and billing type, adjustment flag).
    Days without consumption have no row.
#}

with

source as (

    {{ organization_usage_source(
        'rate_sheet_daily',
        required=['date', 'account_name', 'effective_rate', 'currency']
    ) }}

),

renamed as (

    select
        cast("date" as date) as rate_date,
        cast(organization_name as {{ dbt.type_string() }})
            as organization_name,
        cast(contract_number as {{ dbt.type_string() }}) as contract_number,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(account_locator as {{ dbt.type_string() }}) as account_locator,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(service_level as {{ dbt.type_string() }}) as service_level,
        cast(usage_type as {{ dbt.type_string() }}) as usage_type,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(effective_rate as {{ money_type() }}) as effective_rate,
        cast(service_type as {{ dbt.type_string() }}) as service_type,
        cast(rating_type as {{ dbt.type_string() }}) as rating_type,
        cast(billing_type as {{ dbt.type_string() }}) as billing_type,
        cast(is_adjustment as boolean) as is_adjustment

    from source

)

select * from renamed
