{#
    Snowpipe credits and volumes, one row per account, pipe and window start
    (UTC). A row without a pipe id carries hidden or internal pipes and is
    kept. Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'pipe_usage_history',
        required=['start_time', 'credits_used']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(pipe_id as {{ dbt.type_bigint() }}) as pipe_id,
        cast(pipe_name as {{ dbt.type_string() }}) as pipe_name,
        {{ to_utc('start_time') }} as started_at,
        {{ to_utc('end_time') }} as ended_at,
        cast(credits_used as {{ credits_type() }}) as credits_used,
        {# FLOAT and VARIANT in Snowflake; whole numbers by meaning. #}
        cast(bytes_inserted as {{ dbt.type_bigint() }}) as bytes_inserted,
        cast(
            try_cast(files_inserted as double) as {{ dbt.type_bigint() }}
        ) as files_inserted,
        cast(bytes_billed as {{ dbt.type_bigint() }}) as bytes_billed

    from source

),

deduplicated as (

    {# A repeated window keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, pipe_id, pipe_name, started_at
        order by credits_used desc nulls last, ended_at desc nulls last
    ) = 1

)

select * from deduplicated
