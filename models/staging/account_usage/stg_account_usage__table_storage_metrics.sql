{#
    Current storage of every table still billed for storage, one row per
    account and table id. A snapshot of now, not a history.
#}

with

source as (

    {{ union_account_usage('table_storage_metrics', required=['id']) }}

),

renamed as (

    select
        account_name,
        region,
        cast(id as {{ dbt.type_bigint() }}) as table_id,
        cast(table_name as {{ dbt.type_string() }}) as table_name,
        cast(table_schema_id as {{ dbt.type_bigint() }}) as schema_id,
        cast(table_schema as {{ dbt.type_string() }}) as schema_name,
        cast(table_catalog_id as {{ dbt.type_bigint() }}) as database_id,
        cast(table_catalog as {{ dbt.type_string() }}) as database_name,
        cast(clone_group_id as {{ dbt.type_bigint() }}) as clone_group_id,
        cast(instance_id as {{ dbt.type_bigint() }}) as instance_id,
        cast(comment as {{ dbt.type_string() }}) as table_comment,
        {# 'YES' / 'NO' in Snowflake. #}
        upper(cast(is_transient as {{ dbt.type_string() }})) = 'YES'
            as is_transient,
        cast(deleted as boolean) as is_deleted,
        {{ to_utc('table_created') }} as table_created_at,
        {{ to_utc('table_dropped') }} as table_dropped_at,
        {{ to_utc('table_entered_failsafe') }} as table_entered_failsafe_at,
        {{ to_utc('schema_created') }} as schema_created_at,
        {{ to_utc('schema_dropped') }} as schema_dropped_at,
        {{ to_utc('catalog_created') }} as database_created_at,
        {{ to_utc('catalog_dropped') }} as database_dropped_at,
        cast(active_bytes as {{ dbt.type_bigint() }}) as active_bytes,
        cast(time_travel_bytes as {{ dbt.type_bigint() }})
            as time_travel_bytes,
        cast(failsafe_bytes as {{ dbt.type_bigint() }}) as failsafe_bytes,
        cast(retained_for_clone_bytes as {{ dbt.type_bigint() }})
            as retained_for_clone_bytes,
        cast(archive_storage_cool_active_bytes as {{ dbt.type_bigint() }})
            as archive_storage_cool_active_bytes,
        cast(archive_storage_cold_active_bytes as {{ dbt.type_bigint() }})
            as archive_storage_cold_active_bytes,
        cast(
            archive_storage_cool_time_travel_bytes as {{ dbt.type_bigint() }}
        ) as archive_storage_cool_time_travel_bytes,
        cast(
            archive_storage_cold_time_travel_bytes as {{ dbt.type_bigint() }}
        ) as archive_storage_cold_time_travel_bytes,
        cast(archive_storage_cool_failsafe_bytes as {{ dbt.type_bigint() }})
            as archive_storage_cool_failsafe_bytes,
        cast(archive_storage_cold_failsafe_bytes as {{ dbt.type_bigint() }})
            as archive_storage_cold_failsafe_bytes,
        cast(
            archive_storage_cool_early_deletion_penalty_bytes
            as {{ dbt.type_bigint() }}
        ) as archive_storage_cool_early_deletion_penalty_bytes,
        cast(
            archive_storage_cold_early_deletion_penalty_bytes
            as {{ dbt.type_bigint() }}
        ) as archive_storage_cold_early_deletion_penalty_bytes

    from source

)

select * from renamed
