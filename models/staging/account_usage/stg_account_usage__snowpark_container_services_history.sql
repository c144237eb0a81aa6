{#
    Snowpark Container Services credits, one row per account, compute pool
    and UTC hour. Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'snowpark_container_services_history',
        required=['start_time', 'compute_pool_id', 'credits_used']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(compute_pool_id as {{ dbt.type_bigint() }}) as compute_pool_id,
        cast(compute_pool_name as {{ dbt.type_string() }})
            as compute_pool_name,
        cast(is_exclusive as boolean) as is_exclusive,
        cast(application_id as {{ dbt.type_bigint() }}) as application_id,
        cast(application_name as {{ dbt.type_string() }})
            as application_name,
        {{ to_utc('start_time') }} as usage_hour,
        {{ to_utc('end_time') }} as usage_hour_end,
        cast(credits_used as {{ credits_type() }}) as credits_used

    from source

),

deduplicated as (

    {# A repeated hour keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, compute_pool_id, usage_hour
        order by credits_used desc nulls last
    ) = 1

)

select * from deduplicated
