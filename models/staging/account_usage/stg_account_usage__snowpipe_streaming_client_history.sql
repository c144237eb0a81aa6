{#
    Snowpipe Streaming client events, one row per event Snowflake logs.
    Several events per second are possible and the view has no key, so
    nothing is de-duplicated.
#}

with

source as (

    {{ union_account_usage(
        'snowpipe_streaming_client_history',
        required=['client_name', 'event_timestamp']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(client_name as {{ dbt.type_string() }}) as client_name,
        cast(snowflake_provided_id as {{ dbt.type_string() }})
            as snowflake_provided_id,
        {{ to_utc('event_timestamp') }} as event_at,
        cast(event_type as {{ dbt.type_string() }}) as event_type,
        cast(blob_size_bytes as {{ dbt.type_bigint() }}) as blob_size_bytes

    from source

)

select * from renamed
