{#
    Hourly warehouse credits, one row per account, warehouse and UTC hour.
    Rows repeated by ACCOUNT_USAGE are collapsed to the latest reading.
#}

with

source as (

    {{ union_account_usage(
        'warehouse_metering_history',
        required=['start_time', 'warehouse_id', 'credits_used_compute']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(warehouse_id as {{ dbt.type_bigint() }}) as warehouse_id,
        cast(warehouse_name as {{ dbt.type_string() }}) as warehouse_name,
        {{ to_utc('start_time') }} as usage_hour,
        {{ to_utc('end_time') }} as usage_hour_end,
        cast(credits_used as {{ credits_type() }}) as credits_used,
        cast(credits_used_compute as {{ credits_type() }}) as compute_credits,
        cast(
            credits_used_cloud_services as {{ credits_type() }}
        ) as cloud_services_credits,
        cast(
            credits_attributed_compute_queries as {{ credits_type() }}
        ) as attributed_compute_credits

    from source

),

deduplicated as (

    {# ACCOUNT_USAGE can repeat a row, and the cloud-services column is filled
       in up to six hours after the compute column: keep the fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, warehouse_id, usage_hour
        order by cloud_services_credits desc nulls last, credits_used desc
    ) = 1

)

select * from deduplicated
