{#
    Daily average storage per database, one row per account, day and
    database. Rows repeated by ACCOUNT_USAGE are collapsed.
#}

{# Snowflake stores these averages as FLOAT; a fixed scale keeps sums
   identical from run to run. #}
{%- set average_bytes = 'decimal(38, 3)' -%}

with

source as (

    {{ union_account_usage(
        'database_storage_usage_history',
        required=['usage_date', 'database_id']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(usage_date as date) as usage_date,
        cast(database_id as {{ dbt.type_bigint() }}) as database_id,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        {{ to_utc('deleted') }} as deleted_at,
        cast(average_database_bytes as {{ average_bytes }})
            as average_database_bytes,
        cast(average_failsafe_bytes as {{ average_bytes }})
            as average_failsafe_bytes,
        cast(average_hybrid_table_storage_bytes as {{ average_bytes }})
            as average_hybrid_table_storage_bytes,
        cast(average_archive_storage_cool_bytes as {{ average_bytes }})
            as average_archive_storage_cool_bytes,
        cast(average_archive_storage_cold_bytes as {{ average_bytes }})
            as average_archive_storage_cold_bytes,
        cast(average_cool_failsafe_bytes as {{ average_bytes }})
            as average_cool_failsafe_bytes,
        cast(average_cold_failsafe_bytes as {{ average_bytes }})
            as average_cold_failsafe_bytes

    from source

),

deduplicated as (

    {# A repeated day keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, usage_date, database_id
        order by
            average_database_bytes desc nulls last,
            average_failsafe_bytes desc nulls last
    ) = 1

)

select * from deduplicated
