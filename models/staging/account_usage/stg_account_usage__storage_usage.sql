{#
    Account-wide daily average storage, one row per account and day.
    Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage('storage_usage', required=['usage_date']) }}

),

renamed as (

    select
        account_name,
        region,
        cast(usage_date as date) as usage_date,
        cast(storage_bytes as {{ dbt.type_bigint() }}) as storage_bytes,
        cast(stage_bytes as {{ dbt.type_bigint() }}) as stage_bytes,
        cast(failsafe_bytes as {{ dbt.type_bigint() }}) as failsafe_bytes,
        cast(hybrid_table_storage_bytes as {{ dbt.type_bigint() }})
            as hybrid_table_storage_bytes,
        cast(archive_storage_cool_bytes as {{ dbt.type_bigint() }})
            as archive_storage_cool_bytes,
        cast(archive_storage_cold_bytes as {{ dbt.type_bigint() }})
            as archive_storage_cold_bytes,
        cast(archive_storage_retrieval_temp_bytes as {{ dbt.type_bigint() }})
            as archive_storage_retrieval_temp_bytes

    from source

),

deduplicated as (

    {# A repeated day keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, usage_date
        order by storage_bytes desc nulls last, stage_bytes desc nulls last
    ) = 1

)

select * from deduplicated
