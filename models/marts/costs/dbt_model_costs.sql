{#
    One row per UTC day, account and dbt node (project, resource, model):
    how often the node ran and what its statements cost, from query_costs.
    Statements are dbt's when its query comment or a JSON query tag names
    the node.
#}

with

query_costs as (

    select * from {{ ref('query_costs') }}

    where is_dbt

),

by_node as (

    select
        usage_date,
        account_name,
        region,
        dbt_node_id,
        max(dbt_project_name) as dbt_project_name,
        max(dbt_resource_type) as dbt_resource_type,
        max(dbt_materialization) as dbt_materialization,
        count(distinct dbt_invocation_id) as runs,
        count(*) as query_count,
        sum(execution_ms) as execution_ms,
        sum(compute_credits) as compute_credits,
        sum(query_acceleration_credits) as query_acceleration_credits,
        sum(cloud_services_credits) as cloud_services_credits,
        sum(total_credits) as total_credits,
        sum(cost) as cost,
        max(currency) as currency

    from query_costs

    group by 1, 2, 3, 4

),

final as (

    select
        usage_date,
        account_name,
        region,
        dbt_project_name,
        dbt_resource_type,
        {# The node's name is the last part of its unique id:
           <resource>.<project>.<name> (versioned models add a part). #}
        {{ dbt.split_part('dbt_node_id', "'.'", 3) }} as dbt_model_name,
        dbt_node_id,
        dbt_materialization,
        cast(runs as {{ dbt.type_bigint() }}) as runs,
        cast(query_count as {{ dbt.type_bigint() }}) as query_count,
        cast(execution_ms as {{ dbt.type_bigint() }}) as execution_ms,
        cast(compute_credits as {{ credits_type() }}) as compute_credits,
        cast(query_acceleration_credits as {{ credits_type() }})
            as query_acceleration_credits,
        cast(cloud_services_credits as {{ credits_type() }})
            as cloud_services_credits,
        cast(total_credits as {{ credits_type() }}) as total_credits,
        cast(cost as {{ money_type() }}) as cost,
        currency

    from by_node

)

select * from final
