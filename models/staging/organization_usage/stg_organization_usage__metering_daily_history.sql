{#
    Daily credits per account and service across the organization, with the
    cloud-services adjustment: one row per account, UTC day and service type.
#}

with

source as (

    {{ organization_usage_source(
        'metering_daily_history',
        required=[
            'account_name', 'service_type', 'usage_date', 'credits_billed'
        ]
    ) }}

),

renamed as (

    select
        cast(organization_name as {{ dbt.type_string() }})
            as organization_name,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(account_locator as {{ dbt.type_string() }}) as account_locator,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(usage_date as date) as usage_date,
        cast(service_type as {{ dbt.type_string() }}) as service_type,
        cast(credits_used_compute as {{ credits_type() }}) as compute_credits,
        cast(
            credits_used_cloud_services as {{ credits_type() }}
        ) as cloud_services_credits,
        cast(credits_used as {{ credits_type() }}) as credits_used,
        cast(
            credits_adjustment_cloud_services as {{ credits_type() }}
        ) as cloud_services_adjustment_credits,
        cast(credits_billed as {{ credits_type() }}) as billed_credits

    from source

)

select * from renamed
