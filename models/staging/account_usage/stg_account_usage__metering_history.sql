{#
    Hourly credits of every credit-consuming service, one row per account,
    service type, metered entity, name and UTC hour. Rows repeated by
    ACCOUNT_USAGE are collapsed to the fullest reading.
#}

with

source as (

    {{ union_account_usage(
        'metering_history',
        required=['service_type', 'start_time', 'credits_used_compute']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(service_type as {{ dbt.type_string() }}) as service_type,
        cast(entity_id as {{ dbt.type_bigint() }}) as entity_id,
        cast(entity_type as {{ dbt.type_string() }}) as entity_type,
        cast(name as {{ dbt.type_string() }}) as resource_name,
        cast(database_id as {{ dbt.type_bigint() }}) as database_id,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        cast(schema_id as {{ dbt.type_bigint() }}) as schema_id,
        cast(schema_name as {{ dbt.type_string() }}) as schema_name,
        {{ to_utc('start_time') }} as usage_hour,
        {{ to_utc('end_time') }} as usage_hour_end,
        cast(credits_used_compute as {{ credits_type() }}) as compute_credits,
        cast(
            credits_used_cloud_services as {{ credits_type() }}
        ) as cloud_services_credits,
        cast(credits_used as {{ credits_type() }}) as credits_used,
        cast(bytes as {{ dbt.type_bigint() }}) as bytes,
        cast("ROWS" as {{ dbt.type_bigint() }}) as row_count,
        cast(files as {{ dbt.type_bigint() }}) as file_count

    from source

),

deduplicated as (

    {# ACCOUNT_USAGE can repeat a row, and cloud services are filled in after
       compute: keep the fullest reading of each entity-hour. #}
    select * from renamed
    qualify row_number() over (
        partition by
            account_name, service_type, entity_id, resource_name, usage_hour
        order by cloud_services_credits desc nulls last, credits_used desc
    ) = 1

)

select * from deduplicated
