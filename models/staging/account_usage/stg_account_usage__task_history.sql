{#
    Completed task runs, one row per account, task, scheduled time and
    attempt. Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'task_history',
        required=['name', 'scheduled_time', 'state'],
        types={'error_code': dbt.type_string()}
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(name as {{ dbt.type_string() }}) as task_name,
        cast(task_database_id as {{ dbt.type_bigint() }}) as database_id,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        cast(task_schema_id as {{ dbt.type_bigint() }}) as schema_id,
        cast(schema_name as {{ dbt.type_string() }}) as schema_name,
        cast(root_task_id as {{ dbt.type_string() }}) as root_task_id,
        cast(graph_run_group_id as {{ dbt.type_string() }})
            as graph_run_group_id,
        cast(graph_version as {{ dbt.type_bigint() }}) as graph_version,
        cast(run_id as {{ dbt.type_bigint() }}) as run_id,
        cast(attempt_number as {{ dbt.type_bigint() }}) as attempt_number,
        cast(scheduled_from as {{ dbt.type_string() }}) as scheduled_from,
        cast(instance_id as {{ dbt.type_bigint() }}) as instance_id,
        cast(spcs_job_id as {{ dbt.type_bigint() }}) as spcs_job_id,
        cast(query_id as {{ dbt.type_string() }}) as query_id,
        cast(query_text as {{ dbt.type_string() }}) as query_text,
        cast(condition_text as {{ dbt.type_string() }}) as condition_text,
        cast(query_hash as {{ dbt.type_string() }}) as query_hash,
        cast(query_hash_version as {{ dbt.type_bigint() }})
            as query_hash_version,
        cast(query_parameterized_hash as {{ dbt.type_string() }})
            as query_parameterized_hash,
        cast(query_parameterized_hash_version as {{ dbt.type_bigint() }})
            as query_parameterized_hash_version,
        cast(config as {{ dbt.type_string() }}) as task_config,
        cast(backfill_info as {{ dbt.type_string() }}) as backfill_info,
        cast(state as {{ dbt.type_string() }}) as state,
        cast(return_value as {{ dbt.type_string() }}) as return_value,
        cast(error_code as {{ dbt.type_string() }}) as error_code,
        cast(error_message as {{ dbt.type_string() }}) as error_message,
        {{ to_utc('scheduled_time') }} as scheduled_at,
        {{ to_utc('query_start_time') }} as query_started_at,
        {{ to_utc('completed_time') }} as completed_at

    from source

),

deduplicated as (

    {# A repeated run keeps the reading that completed last. #}
    select * from renamed
    qualify row_number() over (
        partition by
            account_name,
            database_name,
            schema_name,
            task_name,
            scheduled_at,
            attempt_number
        order by completed_at desc nulls last, query_id asc
    ) = 1

)

select * from deduplicated
