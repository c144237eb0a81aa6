{#
    Search-optimization maintenance credits, one row per account,
    search-optimization instance and window start (UTC). Rows repeated by
    ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'search_optimization_history',
        required=['start_time', 'credits_used']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        {# TABLE_ID is the search-optimization instance, not the table; the
           base table's id is only in the text of TABLE_NAME
           ("SEARCH OPTIMIZATION ON TABLE_ID: <id>"). #}
        cast(table_id as {{ dbt.type_bigint() }}) as search_optimization_id,
        cast(table_name as {{ dbt.type_string() }})
            as search_optimization_name,
        try_cast(
            trim(split_part(table_name, ':', 2)) as {{ dbt.type_bigint() }}
        ) as base_table_id,
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
        partition by account_name, search_optimization_id, started_at
        order by credits_used desc nulls last, ended_at desc nulls last
    ) = 1

)

select * from deduplicated
