{#
    Bytes moved out of each account, one row per account, window start
    (UTC), source and target cloud and region, and transfer type. Rows
    repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'data_transfer_history',
        required=['start_time', 'bytes_transferred']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        {{ to_utc('start_time') }} as started_at,
        {{ to_utc('end_time') }} as ended_at,
        cast(source_cloud as {{ dbt.type_string() }}) as source_cloud,
        cast(source_region as {{ dbt.type_string() }}) as source_region,
        cast(target_cloud as {{ dbt.type_string() }}) as target_cloud,
        cast(target_region as {{ dbt.type_string() }}) as target_region,
        cast(transfer_type as {{ dbt.type_string() }}) as transfer_type,
        {# VARIANT in Snowflake, read as text: a number, possibly written
           with a fraction or an exponent. #}
        cast(
            try_cast(bytes_transferred as double) as decimal(38, 0)
        ) as bytes_transferred

    from source

),

deduplicated as (

    {# A repeated window keeps its largest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by
            account_name,
            started_at,
            source_cloud,
            source_region,
            target_cloud,
            target_region,
            transfer_type
        order by bytes_transferred desc nulls last
    ) = 1

)

select * from deduplicated
