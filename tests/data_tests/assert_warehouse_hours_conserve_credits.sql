{#
    Fails for every warehouse-hour whose queries' shares do not add up to
    its query_compute_credits, or whose query and idle credits do not add up
    to what was metered: the ledger conserves every credit, exactly.

    Credits are whole nano-credits, so two sums that differ at all differ
    by at least 1e-9; comparing against half of that is exact on decimals
    and immune to engines that sum decimals in floating point.
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
        abs(
            hours.query_compute_credits + hours.idle_credits
            - hours.compute_credits
        ) >= 0.0000000005
        or abs(
            hours.query_compute_credits - coalesce(shares.compute_credits, 0)
        ) >= 0.0000000005

)

select * from unbalanced
