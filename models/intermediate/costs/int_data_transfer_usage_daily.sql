{#
    Billable data transfer as daily usage lines for the bill, one row per
    UTC day, account and route (transfer type and target cloud and region),
    in binary terabytes. Only egress is billed: data that stays in its
    region is free, and replication is billed to the account receiving it.
#}

with

data_transfer as (

    select * from {{ ref('stg_account_usage__data_transfer_history') }}

),

transfers as (

    {# DATA_TRANSFER_HISTORY writes regions as the cloud provider names
       them (us-east-1), not as Snowflake does (AWS_US_EAST_1). #}
    select
        account_name,
        region,
        cast(started_at as date) as usage_date,
        transfer_type,
        source_cloud,
        source_region,
        target_cloud,
        target_region,
        bytes_transferred,
        {{ account_cloud_region('account_name') }} as _account_cloud_region

    from data_transfer

),

billable_transfers as (

    {# Same-region transfer is free. A replication row counts only in the
       account it replicates into: Snowflake bills replication transfer to
       the receiving account, and the sender's row would count it twice.
       A missing target is somewhere outside the region. #}
    select * from transfers

    where
        (
            lower(source_cloud) is distinct from lower(target_cloud)
            or lower(source_region) is distinct from lower(target_region)
        )
        and (
            transfer_type is distinct from 'REPLICATION'
            or lower(target_region) = _account_cloud_region
        )

),

route_days as (

    select
        usage_date,
        account_name,
        region,
        coalesce(transfer_type, 'unknown') as transfer_type,
        coalesce(target_cloud, 'unknown') as target_cloud,
        coalesce(target_region, 'unknown') as target_region,
        sum(bytes_transferred) as bytes_transferred

    from billable_transfers

    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        usage_date,
        account_name,
        region,
        'DATA_TRANSFER' as service_type,
        'data transfer' as usage_type,
        'transfer route' as resource_type,
        cast(null as {{ dbt.type_bigint() }}) as resource_id,
        transfer_type || ' to ' || target_cloud || ' ' || target_region
            as resource_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        {{ bytes_to_tb('bytes_transferred') }} as usage_quantity,
        'TB' as usage_unit,
        cast(null as {{ credits_type() }}) as credits,
        cast(1 as {{ dbt.type_int() }}) as rate_divisor

    from route_days

    {# A route that moved nothing bills nothing. #}
    where bytes_transferred > 0

)

select * from final
