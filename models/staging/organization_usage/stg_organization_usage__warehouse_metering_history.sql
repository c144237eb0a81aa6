{#
    Hourly warehouse credits across the organization, one row per account,
    service type, warehouse and UTC hour. Unlike the ACCOUNT_USAGE view it
    carries no query-attributed credits.
#}

with

source as (

    {{ organization_usage_source(
        'warehouse_metering_history',
        required=[
            'account_name', 'start_time', 'warehouse_id',
            'credits_used_compute'
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
        cast(service_type as {{ dbt.type_string() }}) as service_type,
        cast(warehouse_id as {{ dbt.type_bigint() }}) as warehouse_id,
        cast(warehouse_name as {{ dbt.type_string() }}) as warehouse_name,
        {{ to_utc('start_time') }} as usage_hour,
        {{ to_utc('end_time') }} as usage_hour_end,
        cast(credits_used_compute as {{ credits_type() }}) as compute_credits,
        cast(
            credits_used_cloud_services as {{ credits_type() }}
        ) as cloud_services_credits,
        cast(credits_used as {{ credits_type() }}) as credits_used

    from source

)

select * from renamed
