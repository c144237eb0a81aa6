{#
    Database replication credits (deprecated view), one row per account,
    database and UTC hour. Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'replication_usage_history',
        required=['start_time', 'database_id', 'credits_used']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(database_id as {{ dbt.type_bigint() }}) as database_id,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        {{ to_utc('start_time') }} as usage_hour,
        {{ to_utc('end_time') }} as usage_hour_end,
        cast(credits_used as {{ credits_type() }}) as credits_used,
        cast(bytes_transferred as {{ dbt.type_bigint() }})
            as bytes_transferred

    from source

),

deduplicated as (

    {# A repeated hour keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, database_id, usage_hour
        order by credits_used desc nulls last
    ) = 1

)

select * from deduplicated
