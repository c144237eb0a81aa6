{#
    One row per account and statement (QUERY_ID), every documented column
    renamed to the project's conventions: UTC `_at` timestamps, durations in
    `_ms`, sizes in `_bytes`, ERROR_CODE as text.

    Incremental, because QUERY_HISTORY is the one view that grows with every
    statement: each run deletes and re-reads the statements that ended in the
    trailing window (var snowledger_lookback_days), which is where late and
    repeated rows land.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_incremental_window('_window_at') }}",
) }}

{%- set window_start = incremental_window_start('_window_at') %}

with

source as (

    {{ union_account_usage(
        'query_history',
        required=['query_id', 'start_time', 'end_time'],
        types={
            'error_code': dbt.type_string(),
            'user_database_id': dbt.type_string(),
            'user_schema_id': dbt.type_string(),
        }
    ) }}

),

renamed as (

    select
        account_name,
        region,

        -- identity and context
        cast(query_id as {{ dbt.type_string() }}) as query_id,
        cast(query_text as {{ dbt.type_string() }}) as query_text,
        cast(query_hash as {{ dbt.type_string() }}) as query_hash,
        cast(query_hash_version as {{ dbt.type_bigint() }})
            as query_hash_version,
        cast(query_parameterized_hash as {{ dbt.type_string() }})
            as query_parameterized_hash,
        cast(query_parameterized_hash_version as {{ dbt.type_bigint() }})
            as query_parameterized_hash_version,
        cast(query_type as {{ dbt.type_string() }}) as query_type,
        cast(session_id as {{ dbt.type_bigint() }}) as session_id,
        cast(authn_event_id as {{ dbt.type_bigint() }}) as authn_event_id,
        cast(transaction_id as {{ dbt.type_bigint() }}) as transaction_id,
        cast(database_id as {{ dbt.type_bigint() }}) as database_id,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        cast(schema_id as {{ dbt.type_bigint() }}) as schema_id,
        cast(schema_name as {{ dbt.type_string() }}) as schema_name,
        cast(user_name as {{ dbt.type_string() }}) as user_name,
        cast(user_type as {{ dbt.type_string() }}) as user_type,
        cast(user_database_name as {{ dbt.type_string() }})
            as user_database_name,
        {# Documented as VARCHAR and read as text, so a non-numeric id cannot
           fail the build; it is NULL here instead. #}
        try_cast(user_database_id as {{ dbt.type_bigint() }})
            as user_database_id,
        cast(user_schema_name as {{ dbt.type_string() }}) as user_schema_name,
        try_cast(user_schema_id as {{ dbt.type_bigint() }}) as user_schema_id,
        cast(role_name as {{ dbt.type_string() }}) as role_name,
        cast(role_type as {{ dbt.type_string() }}) as role_type,
        cast(secondary_role_stats as {{ dbt.type_string() }})
            as secondary_role_stats,
        cast(warehouse_id as {{ dbt.type_bigint() }}) as warehouse_id,
        cast(warehouse_name as {{ dbt.type_string() }}) as warehouse_name,
        {# Snowflake's own column names, though they are keywords too. #}
        cast(warehouse_size as {{ dbt.type_string() }})
            as warehouse_size,  -- noqa: RF04
        cast(warehouse_type as {{ dbt.type_string() }})
            as warehouse_type,  -- noqa: RF04
        cast(cluster_number as {{ dbt.type_bigint() }}) as cluster_number,
        cast(query_tag as {{ dbt.type_string() }}) as query_tag,
        cast(agent_type as {{ dbt.type_string() }}) as agent_type,
        cast(is_client_generated_statement as boolean)
            as is_client_generated_statement,
        cast(release_version as {{ dbt.type_string() }}) as release_version,
        cast(bind_values as {{ dbt.type_string() }}) as bind_values,

        -- outcome
        cast(execution_status as {{ dbt.type_string() }})
            as execution_status,
        cast(error_code as {{ dbt.type_string() }}) as error_code,
        cast(error_message as {{ dbt.type_string() }}) as error_message,
        cast(query_retry_cause as {{ dbt.type_string() }})
            as query_retry_cause,

        -- time, UTC instants and milliseconds
        {{ to_utc('start_time') }} as started_at,
        {{ to_utc('end_time') }} as ended_at,
        cast(total_elapsed_time as {{ dbt.type_bigint() }})
            as total_elapsed_ms,
        cast(compilation_time as {{ dbt.type_bigint() }}) as compilation_ms,
        cast(queued_provisioning_time as {{ dbt.type_bigint() }})
            as queued_provisioning_ms,
        cast(queued_repair_time as {{ dbt.type_bigint() }})
            as queued_repair_ms,
        cast(queued_overload_time as {{ dbt.type_bigint() }})
            as queued_overload_ms,
        cast(list_external_files_time as {{ dbt.type_bigint() }})
            as list_external_files_ms,
        cast(execution_time as {{ dbt.type_bigint() }}) as execution_ms,
        cast(transaction_blocked_time as {{ dbt.type_bigint() }})
            as transaction_blocked_ms,
        cast(child_queries_wait_time as {{ dbt.type_bigint() }})
            as child_queries_wait_ms,
        cast(query_retry_time as {{ dbt.type_bigint() }}) as query_retry_ms,
        cast(fault_handling_time as {{ dbt.type_bigint() }})
            as fault_handling_ms,

        -- work done
        cast(bytes_scanned as {{ dbt.type_bigint() }}) as bytes_scanned,
        cast(percentage_scanned_from_cache as double)
            as percentage_scanned_from_cache,
        cast(bytes_written as {{ dbt.type_bigint() }}) as bytes_written,
        cast(bytes_written_to_result as {{ dbt.type_bigint() }})
            as bytes_written_to_result,
        cast(bytes_read_from_result as {{ dbt.type_bigint() }})
            as bytes_read_from_result,
        cast(bytes_deleted as {{ dbt.type_bigint() }}) as bytes_deleted,
        cast(bytes_spilled_to_local_storage as {{ dbt.type_bigint() }})
            as bytes_spilled_to_local_storage,
        cast(bytes_spilled_to_remote_storage as {{ dbt.type_bigint() }})
            as bytes_spilled_to_remote_storage,
        cast(bytes_sent_over_the_network as {{ dbt.type_bigint() }})
            as bytes_sent_over_the_network,
        cast(rows_produced as {{ dbt.type_bigint() }}) as rows_produced,
        cast(rows_inserted as {{ dbt.type_bigint() }}) as rows_inserted,
        cast(rows_updated as {{ dbt.type_bigint() }}) as rows_updated,
        cast(rows_deleted as {{ dbt.type_bigint() }}) as rows_deleted,
        cast(rows_unloaded as {{ dbt.type_bigint() }}) as rows_unloaded,
        cast(rows_written_to_result as {{ dbt.type_bigint() }})
            as rows_written_to_result,
        cast(partitions_scanned as {{ dbt.type_bigint() }})
            as partitions_scanned,
        cast(partitions_total as {{ dbt.type_bigint() }})
            as partitions_total,
        cast(query_load_percent as {{ dbt.type_bigint() }})
            as query_load_percent,

        -- data transfer
        cast(outbound_data_transfer_cloud as {{ dbt.type_string() }})
            as outbound_data_transfer_cloud,
        cast(outbound_data_transfer_region as {{ dbt.type_string() }})
            as outbound_data_transfer_region,
        cast(outbound_data_transfer_bytes as {{ dbt.type_bigint() }})
            as outbound_data_transfer_bytes,
        cast(inbound_data_transfer_cloud as {{ dbt.type_string() }})
            as inbound_data_transfer_cloud,
        cast(inbound_data_transfer_region as {{ dbt.type_string() }})
            as inbound_data_transfer_region,
        cast(inbound_data_transfer_bytes as {{ dbt.type_bigint() }})
            as inbound_data_transfer_bytes,

        -- external functions
        cast(external_function_total_invocations as {{ dbt.type_bigint() }})
            as external_function_invocations,
        cast(external_function_total_sent_rows as {{ dbt.type_bigint() }})
            as external_function_sent_rows,
        cast(
            external_function_total_received_rows as {{ dbt.type_bigint() }}
        ) as external_function_received_rows,
        cast(external_function_total_sent_bytes as {{ dbt.type_bigint() }})
            as external_function_sent_bytes,
        cast(
            external_function_total_received_bytes as {{ dbt.type_bigint() }}
        ) as external_function_received_bytes,

        -- query acceleration
        cast(query_acceleration_bytes_scanned as {{ dbt.type_bigint() }})
            as query_acceleration_bytes_scanned,
        cast(
            query_acceleration_partitions_scanned as {{ dbt.type_bigint() }}
        ) as query_acceleration_partitions_scanned,
        cast(
            query_acceleration_upper_limit_scale_factor
            as {{ dbt.type_bigint() }}
        ) as query_acceleration_upper_limit_scale_factor,

        -- credits, before the daily cloud-services adjustment
        cast(
            credits_used_cloud_services as {{ credits_type() }}
        ) as cloud_services_credits

    from source

    {% if window_start is not none -%}
    where coalesce(
        {{ to_utc('end_time') }}, {{ to_utc('start_time') }}
    ) >= {{ window_start }}
    {%- endif %}

),

deduplicated as (

    {# ACCOUNT_USAGE can list a statement twice, and a copy read while the
       statement was still being recorded can lack its end or its credits.
       Keep the latest, fullest reading: the one that ended last, then the one
       with the most elapsed time and cloud-services credits filled in. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, query_id
        order by
            ended_at desc nulls last,
            total_elapsed_ms desc nulls last,
            cloud_services_credits desc nulls last,
            execution_status asc
    ) = 1

),

windowed as (

    select
        *,
        {# A statement belongs to the window it ended in; one whose end is
           not recorded yet, to the window it started in. #}
        coalesce(ended_at, started_at) as _window_at,
        {{ batch_window_start('_window_at') }} as _batch_window_start

    from deduplicated

)

select * from windowed
