{#
    Serverless task credits, one row per account, task and window start
    (UTC). Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'serverless_task_history',
        required=['start_time', 'task_id', 'credits_used']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(task_id as {{ dbt.type_bigint() }}) as task_id,
        cast(task_name as {{ dbt.type_string() }}) as task_name,
        cast(database_id as {{ dbt.type_bigint() }}) as database_id,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        cast(schema_id as {{ dbt.type_bigint() }}) as schema_id,
        cast(schema_name as {{ dbt.type_string() }}) as schema_name,
        cast(instance_id as {{ dbt.type_bigint() }}) as instance_id,
        {{ to_utc('start_time') }} as started_at,
        {{ to_utc('end_time') }} as ended_at,
        cast(credits_used as {{ credits_type() }}) as credits_used

    from source

),

deduplicated as (

    {# A repeated window keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, task_id, started_at
        order by credits_used desc nulls last, ended_at desc nulls last
    ) = 1

)

select * from deduplicated
