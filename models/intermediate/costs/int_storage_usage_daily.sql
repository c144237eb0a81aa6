{#
    Storage as daily usage lines for the bill, one row per UTC day, account
    and stored thing: each database's table and Time Travel bytes, its
    Fail-safe bytes and its hybrid tables, the internal stages, and what
    clones retain beyond the databases. Quantities are the day's average in
    binary terabytes; storage is priced per TB-month, so each day bills its
    average divided by the days of its month (`rate_divisor`).
#}

with

database_storage as (

    select *
    from {{ ref('stg_account_usage__database_storage_usage_history') }}

),

stage_storage as (

    select * from {{ ref('stg_account_usage__stage_storage_usage_history') }}

),

storage_usage as (

    select * from {{ ref('stg_account_usage__storage_usage') }}

),

database_lines as (

    select
        usage_date,
        account_name,
        region,
        'STORAGE' as service_type,
        'storage' as usage_type,
        'database' as resource_type,
        database_id as resource_id,
        database_name as resource_name,
        database_name,
        cast(average_database_bytes as decimal(38, 3)) as usage_bytes

    from database_storage

    union all

    select
        usage_date,
        account_name,
        region,
        'STORAGE' as service_type,
        'storage' as usage_type,
        'database fail-safe' as resource_type,
        database_id as resource_id,
        database_name as resource_name,
        database_name,
        cast(average_failsafe_bytes as decimal(38, 3)) as usage_bytes

    from database_storage

    union all

    {# Hybrid tables are billed under their own service type. #}
    select
        usage_date,
        account_name,
        region,
        'HYBRID_TABLE_STORAGE' as service_type,
        'hybrid table storage' as usage_type,
        'hybrid tables' as resource_type,
        database_id as resource_id,
        database_name as resource_name,
        database_name,
        cast(average_hybrid_table_storage_bytes as decimal(38, 3))
            as usage_bytes

    from database_storage

),

stage_lines as (

    select
        usage_date,
        account_name,
        region,
        'STORAGE' as service_type,
        'storage' as usage_type,
        'stage' as resource_type,
        cast(null as {{ dbt.type_bigint() }}) as resource_id,
        'stage' as resource_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        cast(average_stage_bytes as decimal(38, 3)) as usage_bytes

    from stage_storage

),

database_totals as (

    select
        account_name,
        usage_date,
        sum(coalesce(average_database_bytes, 0)) as database_bytes,
        sum(coalesce(average_failsafe_bytes, 0)) as failsafe_bytes

    from database_storage

    group by 1, 2

),

clone_lines as (

    {# The invoice follows STORAGE_USAGE. Bytes it counts beyond the
       databases' own are kept alive by clones of dropped or changed
       objects; a negative difference is measurement noise, not storage,
       and is dropped with the other empty lines below. #}
    select
        storage_usage.usage_date,
        storage_usage.account_name,
        storage_usage.region,
        'STORAGE' as service_type,
        'storage' as usage_type,
        'retained for clones' as resource_type,
        cast(null as {{ dbt.type_bigint() }}) as resource_id,
        'retained for clones' as resource_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        cast(
            storage_usage.storage_bytes
            - coalesce(database_totals.database_bytes, 0)
            as decimal(38, 3)
        ) as usage_bytes

    from storage_usage

    left join database_totals
        on
            storage_usage.account_name = database_totals.account_name
            and storage_usage.usage_date = database_totals.usage_date

    union all

    select
        storage_usage.usage_date,
        storage_usage.account_name,
        storage_usage.region,
        'STORAGE' as service_type,
        'storage' as usage_type,
        'fail-safe retained for clones' as resource_type,
        cast(null as {{ dbt.type_bigint() }}) as resource_id,
        'fail-safe retained for clones' as resource_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        cast(
            storage_usage.failsafe_bytes
            - coalesce(database_totals.failsafe_bytes, 0)
            as decimal(38, 3)
        ) as usage_bytes

    from storage_usage

    left join database_totals
        on
            storage_usage.account_name = database_totals.account_name
            and storage_usage.usage_date = database_totals.usage_date

),

storage_lines as (

    select * from database_lines

    union all

    select * from stage_lines

    union all

    select * from clone_lines

),

billed_lines as (

    {# An empty line bills nothing; NULL bytes (a column an older copy
       lacks) are empty too. #}
    select
        *,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date)
            as _month_start

    from storage_lines

    where usage_bytes > 0

),

final as (

    select
        usage_date,
        account_name,
        region,
        service_type,
        usage_type,
        resource_type,
        resource_id,
        resource_name,
        database_name,
        {{ bytes_to_tb('usage_bytes') }} as usage_quantity,
        'TB' as usage_unit,
        cast(null as {{ credits_type() }}) as credits,
        cast({{ dbt.datediff(
            '_month_start',
            dbt.dateadd('month', 1, '_month_start'),
            'day'
        ) }} as {{ dbt.type_int() }}) as rate_divisor

    from billed_lines

)

select * from final
