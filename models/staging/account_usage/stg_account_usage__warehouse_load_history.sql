{#
    Warehouse load in five-minute intervals, one row per account, warehouse
    and interval start (UTC). Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'warehouse_load_history',
        required=['start_time', 'warehouse_id']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(warehouse_id as {{ dbt.type_bigint() }}) as warehouse_id,
        cast(warehouse_name as {{ dbt.type_string() }}) as warehouse_name,
        {{ to_utc('start_time') }} as started_at,
        {{ to_utc('end_time') }} as ended_at,
        cast(avg_running as decimal(38, 9)) as avg_running,
        cast(avg_queued_load as decimal(38, 9)) as avg_queued_load,
        cast(avg_queued_provisioning as decimal(38, 9))
            as avg_queued_provisioning,
        cast(avg_blocked as decimal(38, 9)) as avg_blocked

    from source

),

deduplicated as (

    {# A repeated interval keeps the reading with the most load recorded. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, warehouse_id, started_at
        order by avg_running desc nulls last, avg_queued_load desc nulls last
    ) = 1

)

select * from deduplicated
