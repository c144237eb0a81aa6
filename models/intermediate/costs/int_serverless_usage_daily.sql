{#
    Credits of every serverless feature as daily usage lines for the bill,
    one row per UTC day, account, billing service type, metered entity and
    name. Serverless features bill their compute and cloud services together
    as one line, so both are summed here; warehouses are costed elsewhere,
    from WAREHOUSE_METERING_HISTORY.
#}

with

metering_history as (

    select * from {{ ref('stg_account_usage__metering_history') }}

),

serverless_hours as (

    {# Reader accounts' warehouses (WAREHOUSE_METERING_READER) are not in
       WAREHOUSE_METERING_HISTORY and are paid by the provider: they stay
       here, as their own line. Snowflake documents NULL credits as
       possible; a NULL part adds nothing. #}
    select
        account_name,
        region,
        cast(usage_hour as date) as usage_date,
        {{ billing_service_type('service_type') }} as service_type,
        coalesce(lower(entity_type), 'service') as resource_type,
        entity_id as resource_id,
        resource_name,
        database_name,
        coalesce(compute_credits, 0) as compute_credits,
        coalesce(cloud_services_credits, 0) as cloud_services_credits

    from metering_history

    where service_type != 'WAREHOUSE_METERING'

),

serverless_days as (

    {# A database renamed during the day must not split the entity's line:
       one name is kept. #}
    select
        usage_date,
        account_name,
        region,
        service_type,
        resource_type,
        resource_id,
        resource_name,
        max(database_name) as database_name,
        sum(compute_credits) + sum(cloud_services_credits) as credits

    from serverless_hours

    group by 1, 2, 3, 4, 5, 6, 7

),

final as (

    select
        usage_date,
        account_name,
        region,
        service_type,
        {# Serverless rates are looked up by service type. #}
        cast(null as {{ dbt.type_string() }}) as usage_type,
        resource_type,
        resource_id,
        resource_name,
        database_name,
        cast(credits as {{ credits_type() }}) as usage_quantity,
        'credits' as usage_unit,
        cast(credits as {{ credits_type() }}) as credits,
        cast(1 as {{ dbt.type_int() }}) as rate_divisor

    from serverless_days

)

select * from final
