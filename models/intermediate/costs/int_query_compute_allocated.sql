{#
    One row per account, query and clock hour (UTC): the query's share of
    that warehouse-hour's query-attributable compute credits, by execution
    time. Shares are whole nano-credits (largest remainder), so the queries
    of an hour add up to the hour's query_compute_credits exactly.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_incremental_window(
        'usage_hour', also_from=[ref('warehouse_costs_hourly')]
    ) }}",
) }}

{%- set window_start = incremental_window_start(
    'usage_hour', also_from=[ref('warehouse_costs_hourly')]
) %}
{%- set hour_key = ['account_name', 'warehouse_id', 'usage_hour'] %}

with

execution_hours as (

    select * from {{ ref('int_query_execution_hours') }}

    {% if window_start is not none -%}
    where usage_hour >= {{ window_start }}
    {%- endif %}

),

warehouse_hours as (

    select * from {{ ref('warehouse_costs_hourly') }}

    {% if window_start is not none -%}
    where usage_hour >= {{ window_start }}
    {%- endif %}

),

weighted as (

    select
        execution_hours.account_name,
        execution_hours.warehouse_id,
        execution_hours.query_id,
        execution_hours.usage_hour,
        execution_hours.execution_ms,
        warehouse_hours.compute_rate,
        {{ allocation_base(
            'warehouse_hours.query_compute_credits',
            'execution_hours.execution_ms',
            [
                'execution_hours.account_name',
                'execution_hours.warehouse_id',
                'execution_hours.usage_hour',
            ],
        ) }}

    from execution_hours

    -- An hour the metering view does not list yet allocates nothing; the
    -- query gets its share when the hour arrives.
    inner join warehouse_hours
        on
            execution_hours.account_name = warehouse_hours.account_name
            and execution_hours.warehouse_id = warehouse_hours.warehouse_id
            and execution_hours.usage_hour = warehouse_hours.usage_hour

),

shared as (

    select
        account_name,
        warehouse_id,
        query_id,
        usage_hour,
        execution_ms,
        {{ allocation_credits(hour_key, 'query_id') }} as compute_credits,
        compute_rate,
        {{ batch_window_start(
            'usage_hour', also_from=[ref('warehouse_costs_hourly')]
        ) }} as _batch_window_start

    from weighted

),

final as (

    select
        account_name,
        warehouse_id,
        query_id,
        usage_hour,
        execution_ms,
        compute_credits,
        {# Priced at the rate of the hour's own day, so that a query running
           across midnight pays each day's price for each day's share. #}
        cast(compute_credits * compute_rate as {{ money_type() }})
            as compute_cost,
        _batch_window_start

    from shared

)

select * from final
