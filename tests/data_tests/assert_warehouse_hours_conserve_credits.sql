{#
    Fails for every warehouse-hour whose queries' shares do not add up to
    its query_compute_credits, or whose query and idle credits do not add up
    to what was metered: the ledger conserves every credit, exactly.
#}

with

hours as (

    select * from {{ ref('warehouse_costs_hourly') }}

),

shares as (

    select
        account_name,
        warehouse_id,
        usage_hour,
        sum(compute_credits) as compute_credits

    from {{ ref('int_query_compute_allocated') }}

    group by 1, 2, 3

),

unbalanced as (

    select
        hours.account_name,
        hours.warehouse_id,
        hours.usage_hour,
        hours.compute_credits,
        hours.query_compute_credits,
        hours.idle_credits,
        shares.compute_credits as shared_credits

    from hours

    left join shares
        on
            hours.account_name = shares.account_name
            and hours.warehouse_id = shares.warehouse_id
            and hours.usage_hour = shares.usage_hour

    where
        hours.query_compute_credits + hours.idle_credits
        <> hours.compute_credits
        or hours.query_compute_credits
        <> coalesce(shares.compute_credits, 0)

)

select * from unbalanced
