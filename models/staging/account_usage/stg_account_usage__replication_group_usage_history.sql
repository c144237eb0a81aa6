{#
    Replication credits of secondary replication and failover groups, one
    row per account, group and UTC hour. Rows repeated by ACCOUNT_USAGE are
    collapsed.
#}

with

source as (

    {{ union_account_usage(
        'replication_group_usage_history',
        required=['start_time', 'replication_group_id', 'credits_used']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(replication_group_id as {{ dbt.type_bigint() }})
            as replication_group_id,
        cast(replication_group_name as {{ dbt.type_string() }})
            as replication_group_name,
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
        partition by account_name, replication_group_id, usage_hour
        order by credits_used desc nulls last
    ) = 1

)

select * from deduplicated
