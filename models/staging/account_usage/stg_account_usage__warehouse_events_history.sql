{#
    Warehouse and cluster events (resume, suspend, resize, spin-up), one row
    per event row Snowflake logs. The view has no key, so nothing is
    de-duplicated: one event can legitimately emit several rows.
#}

with

source as (

    {{ union_account_usage(
        'warehouse_events_history',
        required=['timestamp', 'warehouse_id', 'event_name']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        {{ to_utc('"TIMESTAMP"') }} as event_at,
        cast(warehouse_id as {{ dbt.type_bigint() }}) as warehouse_id,
        cast(warehouse_name as {{ dbt.type_string() }}) as warehouse_name,
        cast(cluster_number as {{ dbt.type_bigint() }}) as cluster_number,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        cast(event_reason as {{ dbt.type_string() }}) as event_reason,
        cast(event_state as {{ dbt.type_string() }}) as event_state,
        cast(user_name as {{ dbt.type_string() }}) as user_name,
        cast(role_name as {{ dbt.type_string() }}) as role_name,
        cast(query_id as {{ dbt.type_string() }}) as query_id,
        cast(size as {{ dbt.type_string() }}) as warehouse_size,  -- noqa: RF04
        {# Documented as VARCHAR; a count that is not a number reads NULL. #}
        try_cast(cluster_count as {{ dbt.type_bigint() }}) as cluster_count,
        cast(warehouse_type as {{ dbt.type_string() }})
            as warehouse_type,  -- noqa: RF04
        cast(resource_constraint as {{ dbt.type_string() }})
            as resource_constraint  -- noqa: RF04

    from source

)

select * from renamed
