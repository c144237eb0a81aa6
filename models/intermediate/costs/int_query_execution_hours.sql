{#
    One row per account, warehouse query and clock hour (UTC) in which the
    query executed, with the milliseconds it executed in that hour: the
    weights by which an hour's query-attributable credits are shared.

    A query executes from START_TIME plus its compilation, queued
    (provisioning, repair, overload) and external-file-listing time, to
    END_TIME; only that window uses the warehouse. Incremental: each run
    rebuilds every hour from the window start on, from every query that
    executed in it, so that an hour always holds all of its queries.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_incremental_window(
        'usage_hour', also_from=[ref('stg_account_usage__query_history')]
    ) }}",
) }}

{%- set window_start = incremental_window_start(
    'usage_hour', also_from=[ref('stg_account_usage__query_history')]
) %}
{%- set max_hours = var('snowledger_max_query_hours') | int %}

with

queries as (

    select * from {{ ref('stg_account_usage__query_history') }}

),

executions as (

    select
        account_name,
        region,
        warehouse_id,
        query_id,
        ended_at,
        {{ dbt.dateadd(
            'millisecond',
            'coalesce(compilation_ms, 0) + coalesce(queued_provisioning_ms, 0)'
            ~ ' + coalesce(queued_repair_ms, 0)'
            ~ ' + coalesce(queued_overload_ms, 0)'
            ~ ' + coalesce(list_external_files_ms, 0)',
            'started_at',
        ) }} as execution_started_at

    from queries

    where
        warehouse_id is not null
        and ended_at is not null
    {% if window_start is not none -%}
        -- every query still executing at or after the window start
        and ended_at > {{ window_start }}
        {%- endif %}

),

windows as (

    select
        *,
        {{ dbt.date_trunc('hour', 'execution_started_at') }}
            as first_hour,
        {{ dbt.datediff(
            dbt.date_trunc('hour', 'execution_started_at'),
            dbt.date_trunc('hour', dbt.dateadd(
                'microsecond', -1, 'ended_at'
            )),
            'hour',
        ) }} as hours_spanned

    from executions

    where execution_started_at < ended_at

),

{# Most queries fit in one clock hour and need no explosion; the rest are
   joined to as many hour offsets as they span. #}
hour_offsets as (

    {% for offset in range(max_hours) -%}
        select {{ offset }} as hour_offset
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}

),

single_hour as (

    select
        account_name,
        region,
        warehouse_id,
        query_id,
        first_hour as usage_hour,
        execution_started_at as slice_started_at,
        ended_at as slice_ended_at

    from windows

    where hours_spanned = 0

),

several_hours as (

    select
        windows.account_name,
        windows.region,
        windows.warehouse_id,
        windows.query_id,
        {{ dbt.dateadd(
            'hour', 'hour_offsets.hour_offset', 'windows.first_hour'
        ) }} as usage_hour,
        windows.execution_started_at as slice_started_at,
        windows.ended_at as slice_ended_at

    from windows

    inner join hour_offsets
        on windows.hours_spanned >= hour_offsets.hour_offset

    where windows.hours_spanned > 0

),

sliced as (

    select * from single_hour

    union all

    select * from several_hours

),

measured as (

    select
        account_name,
        region,
        warehouse_id,
        query_id,
        usage_hour,
        {{ dbt.datediff(
            'case when slice_started_at > usage_hour'
            ~ ' then slice_started_at else usage_hour end',
            'case when slice_ended_at < '
            ~ dbt.dateadd('hour', 1, 'usage_hour')
            ~ ' then slice_ended_at else '
            ~ dbt.dateadd('hour', 1, 'usage_hour') ~ ' end',
            'millisecond',
        ) }} as execution_ms

    from sliced

    {% if window_start is not none -%}
    where usage_hour >= {{ window_start }}
    {%- endif %}

),

final as (

    select
        account_name,
        region,
        warehouse_id,
        query_id,
        usage_hour,
        cast(execution_ms as {{ dbt.type_bigint() }}) as execution_ms,
        {{ batch_window_start(
            'usage_hour', also_from=[ref('stg_account_usage__query_history')]
        ) }} as _batch_window_start

    from measured

    where execution_ms > 0

)

select * from final
