{#
    Materialized-view maintenance credits, one row per account, view and
    window start (UTC). Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'materialized_view_refresh_history',
        required=['start_time', 'table_id', 'credits_used']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(table_id as {{ dbt.type_bigint() }}) as materialized_view_id,
        cast(table_name as {{ dbt.type_string() }}) as materialized_view_name,
        cast(database_id as {{ dbt.type_bigint() }}) as database_id,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        cast(schema_id as {{ dbt.type_bigint() }}) as schema_id,
        cast(schema_name as {{ dbt.type_string() }}) as schema_name,
        {{ to_utc('start_time') }} as started_at,
        {{ to_utc('end_time') }} as ended_at,
        cast(credits_used as {{ credits_type() }}) as credits_used

    from source

),

deduplicated as (

    {# A repeated window keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, materialized_view_id, started_at
        order by credits_used desc nulls last, ended_at desc nulls last
    ) = 1

)

select * from deduplicated
