{#
    One row per account and query: what the query cost, from its share of
    the warehouse compute it executed on, its query acceleration and its
    share of the day's billed cloud services, priced at the day's rate.
#}
{%- set upstreams = [
    ref('stg_account_usage__query_history'),
    ref('int_query_compute_allocated'),
    ref('int_query_cloud_services'),
] %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    cluster_by=(
        ['usage_date', 'account_name'] if target.name == 'snowflake' else none
    ),
    pre_hook="{{ delete_incremental_window(
        'coalesce(ended_at, started_at)',
        also_from=[
            ref('stg_account_usage__query_history'),
            ref('int_query_compute_allocated'),
            ref('int_query_cloud_services'),
        ],
    ) }}",
) }}

{%- set window_start = incremental_window_start(
    'coalesce(ended_at, started_at)', also_from=upstreams
) %}
{%- set max_hours = var('snowledger_max_query_hours') | int %}

with

queries as (

    select * from {{ ref('stg_account_usage__query_history') }}

    {% if window_start is not none -%}
    where _window_at >= {{ window_start }}
    {%- endif %}

),

compute_shares as (

    select * from {{ ref('int_query_compute_allocated') }}

    {% if window_start is not none -%}
    {# Every hour of a query that ended in the window, the earliest being
       at most the longest split query before it. #}
    where usage_hour >= {{ dbt.dateadd('hour', -max_hours, window_start) }}
    {%- endif %}

),

cloud_services as (

    select * from {{ ref('int_query_cloud_services') }}

    {% if window_start is not none -%}
    where usage_date >= {{ dbt.dateadd('hour', -max_hours, window_start) }}
    {%- endif %}

),

attribution as (

    select * from {{ ref('stg_account_usage__query_attribution_history') }}

    {% if window_start is not none -%}
    where _window_at >= {{ window_start }}
    {%- endif %}

),

rates as (

    select * from {{ ref('daily_rates') }}

),

compute_per_query as (

    select
        account_name,
        query_id,
        sum(execution_ms) as execution_ms,
        sum(compute_credits) as compute_credits,
        sum(compute_cost) as compute_cost

    from compute_shares

    group by 1, 2

),

{# dbt says which node ran a statement in its query comment and, where the
   project sets one, in a JSON query tag; only statements that look like
   dbt's are parsed. #}
dbt_metadata as (

    select
        account_name,
        query_id,
        case
            when query_tag like '%node_id%' then query_tag
            else {{ dbt_query_comment('query_text') }}
        end as dbt_json

    from queries

    where query_tag like '%node_id%' or query_text like '/*%node_id%'

),

dbt_nodes as (

    select
        account_name,
        query_id,
        {{ json_text('dbt_json', 'node_id') }} as dbt_node_id,
        {{ json_text('dbt_json', 'invocation_id') }} as dbt_invocation_id,
        {{ json_text('dbt_json', 'materialized') }} as dbt_materialization

    from dbt_metadata

),

joined as (

    select
        queries.account_name,
        queries.region,
        queries.query_id,
        queries.warehouse_id,
        queries.warehouse_name,
        queries.warehouse_size,  -- noqa: RF04
        queries.user_name,
        queries.role_name,
        queries.query_tag,
        queries.query_type,
        queries.query_parameterized_hash,
        queries.database_name,
        queries.schema_name,
        queries.execution_status,
        queries.started_at,
        queries.ended_at,
        cast(queries.started_at as date) as usage_date,
        coalesce(compute_per_query.execution_ms, 0) as execution_ms,
        coalesce(compute_per_query.compute_credits, 0) as compute_credits,
        coalesce(compute_per_query.compute_cost, 0) as compute_cost,
        coalesce(attribution.query_acceleration_credits, 0)
            as query_acceleration_credits,
        coalesce(cloud_services.cloud_services_credits, 0)
            as used_cloud_services_credits,
        coalesce(cloud_services.billed_cloud_services_credits, 0)
            as cloud_services_credits,
        dbt_nodes.dbt_node_id,
        dbt_nodes.dbt_invocation_id,
        dbt_nodes.dbt_materialization

    from queries

    left join compute_per_query
        on
            queries.account_name = compute_per_query.account_name
            and queries.query_id = compute_per_query.query_id

    left join cloud_services
        on
            queries.account_name = cloud_services.account_name
            and queries.query_id = cloud_services.query_id

    left join attribution
        on
            queries.account_name = attribution.account_name
            and queries.query_id = attribution.query_id

    left join dbt_nodes
        on
            queries.account_name = dbt_nodes.account_name
            and queries.query_id = dbt_nodes.query_id

),

priced as (

    select
        joined.*,
        {{ blended_rate('acceleration_rates') }} as query_acceleration_rate,
        {{ blended_rate('cloud_services_rates') }} as cloud_services_rate,
        {{ rate_currency('cloud_services_rates') }} as currency

    from joined

    left join rates as acceleration_rates
        on
            joined.account_name = acceleration_rates.account_name
            and joined.usage_date = acceleration_rates.rate_date
            and acceleration_rates.usage_type = 'query acceleration'

    left join rates as cloud_services_rates
        on
            joined.account_name = cloud_services_rates.account_name
            and joined.usage_date = cloud_services_rates.rate_date
            and cloud_services_rates.usage_type = 'cloud services'

),

final as (

    select
        account_name,
        region,
        query_id,
        warehouse_id,
        warehouse_name,
        warehouse_size,  -- noqa: RF04
        user_name,
        role_name,
        query_tag,
        query_type,
        query_parameterized_hash,
        database_name,
        schema_name,
        execution_status,
        started_at,
        ended_at,
        usage_date,
        cast(execution_ms as {{ dbt.type_bigint() }}) as execution_ms,
        cast(compute_credits as {{ credits_type() }}) as compute_credits,
        cast(query_acceleration_credits as {{ credits_type() }})
            as query_acceleration_credits,
        cast(used_cloud_services_credits as {{ credits_type() }})
            as used_cloud_services_credits,
        cast(cloud_services_credits as {{ credits_type() }})
            as cloud_services_credits,
        cast(
            compute_credits + query_acceleration_credits
            + cloud_services_credits
            as {{ credits_type() }}
        ) as total_credits,
        cast(compute_cost as {{ money_type() }}) as compute_cost,
        cast(
            query_acceleration_credits * query_acceleration_rate
            as {{ money_type() }}
        ) as query_acceleration_cost,
        cast(
            cloud_services_credits * cloud_services_rate
            as {{ money_type() }}
        ) as cloud_services_cost,
        cast(
            compute_cost
            + query_acceleration_credits * query_acceleration_rate
            + cloud_services_credits * cloud_services_rate
            as {{ money_type() }}
        ) as cost,
        currency,
        dbt_node_id is not null as is_dbt,
        nullif(split_part(dbt_node_id, '.', 1), '') as dbt_resource_type,
        nullif(split_part(dbt_node_id, '.', 2), '') as dbt_project_name,
        dbt_node_id,
        dbt_invocation_id,
        dbt_materialization

    from priced

)

select * from final
