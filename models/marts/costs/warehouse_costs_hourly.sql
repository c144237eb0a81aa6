{#
    One row per account, warehouse and clock hour (UTC) with metered usage:
    the compute credits Snowflake metered, split into the part allocated to
    queries and an explicit idle line, so that
    query_compute_credits + idle_credits = compute_credits, exactly.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    cluster_by=(
        ['usage_date', 'account_name'] if target.name == 'snowflake' else none
    ),
    pre_hook="{{ delete_incremental_window(
        'usage_hour', also_from=[ref('int_query_execution_hours')]
    ) }}",
) }}

{%- set window_start = incremental_window_start(
    'usage_hour', also_from=[ref('int_query_execution_hours')]
) %}

with

metering as (

    select * from {{ ref('stg_account_usage__warehouse_metering_history') }}

    {% if window_start is not none -%}
    where usage_hour >= {{ window_start }}
    {%- endif %}

),

execution_hours as (

    select * from {{ ref('int_query_execution_hours') }}

    {% if window_start is not none -%}
    where usage_hour >= {{ window_start }}
    {%- endif %}

),

rates as (

    select * from {{ ref('daily_rates') }}

    where usage_type = 'compute'

),

executed as (

    select
        account_name,
        warehouse_id,
        usage_hour,
        count(*) as query_count,
        sum(execution_ms) as execution_ms

    from execution_hours

    group by 1, 2, 3

),

allocated as (

    select
        metering.account_name,
        metering.region,
        metering.warehouse_id,
        metering.warehouse_name,
        metering.usage_hour,
        coalesce(metering.compute_credits, 0) as compute_credits,
        metering.attributed_compute_credits,
        coalesce(metering.cloud_services_credits, 0)
            as cloud_services_credits,
        coalesce(executed.query_count, 0) as query_count,
        coalesce(executed.execution_ms, 0) as execution_ms,
        {# Snowflake's CREDITS_ATTRIBUTED_COMPUTE_QUERIES is the hour's
           compute spent executing queries; where it is NULL (adaptive
           warehouses, other producers) every metered credit of an hour with
           queries is theirs. Never more than was metered, never below 0. #}
        case
            when coalesce(executed.execution_ms, 0) = 0 then 'no query executed'
            when metering.attributed_compute_credits is null
                then 'all compute, no attribution column'
            else 'attributed by snowflake'
        end as allocation_basis,
        case
            when coalesce(executed.execution_ms, 0) = 0
                then cast(0 as {{ credits_type() }})
            when metering.attributed_compute_credits is null
                then coalesce(metering.compute_credits, 0)
            when metering.attributed_compute_credits < 0
                then cast(0 as {{ credits_type() }})
            when
                metering.attributed_compute_credits
                > coalesce(metering.compute_credits, 0)
                then coalesce(metering.compute_credits, 0)
            else metering.attributed_compute_credits
        end as query_compute_credits

    from metering

    left join executed
        on
            metering.account_name = executed.account_name
            and metering.warehouse_id = executed.warehouse_id
            and metering.usage_hour = executed.usage_hour

),

priced as (

    select
        allocated.*,
        {{ blended_rate('rates') }} as compute_rate,
        {{ rate_currency('rates') }} as currency,
        {{ rate_source('rates') }} as rate_source

    from allocated

    left join rates
        on
            allocated.account_name = rates.account_name
            and cast(allocated.usage_hour as date) = rates.rate_date

),

final as (

    select
        account_name,
        region,
        warehouse_id,
        warehouse_name,
        usage_hour,
        cast(usage_hour as date) as usage_date,
        compute_credits,
        query_compute_credits,
        cast(
            compute_credits - query_compute_credits as {{ credits_type() }}
        ) as idle_credits,
        attributed_compute_credits,
        allocation_basis,
        cloud_services_credits,
        cast(query_count as {{ dbt.type_bigint() }}) as query_count,
        cast(execution_ms as {{ dbt.type_bigint() }}) as execution_ms,
        cast(compute_rate as {{ money_type() }}) as compute_rate,
        cast(compute_credits * compute_rate as {{ money_type() }})
            as compute_cost,
        cast(
            query_compute_credits * compute_rate as {{ money_type() }}
        ) as query_compute_cost,
        cast(
            (compute_credits - query_compute_credits) * compute_rate
            as {{ money_type() }}
        ) as idle_cost,
        currency,
        rate_source,
        {{ batch_window_start(
            'usage_hour', also_from=[ref('int_query_execution_hours')]
        ) }} as _batch_window_start

    from priced

)

select * from final
