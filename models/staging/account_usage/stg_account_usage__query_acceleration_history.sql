{#
    Query Acceleration Service credits, one row per account, warehouse and
    window start (UTC). Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'query_acceleration_history',
        required=['start_time', 'warehouse_id', 'credits_used']
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
        cast(credits_used as {{ credits_type() }}) as credits_used

    from source

),

deduplicated as (

    {# A repeated window keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, warehouse_id, started_at
        order by credits_used desc nulls last, ended_at desc nulls last
    ) = 1

)

select * from deduplicated
