{#
    Every warehouse the ledger has seen, one row per account and warehouse
    id: its latest name, who owns it today and by which signal, whether
    that owner is registered, and when it was first and last used.
#}

{%- set shared_patterns = var('snowledger_shared_warehouses') -%}

with

warehouse_hours as (

    select * from {{ ref('warehouse_costs_hourly') }}

),

signals as (

    select * from {{ ref('int_ownership_signals') }}

),

entities as (

    select * from {{ ref('chargeback_entities') }}

),

today as (

    select cast({{ dbt.current_timestamp() }} as date) as restated_date

),

usage as (

    select
        account_name,
        region,
        warehouse_id,
        max_by(warehouse_name, usage_hour) as warehouse_name,
        count(distinct warehouse_name) as name_count,
        min(
            case when compute_credits > 0 then usage_hour end
        ) as first_used_at,
        max(
            case when compute_credits > 0 then usage_hour end
        ) as last_used_at,
        sum(query_count) as query_count,
        sum(compute_credits) as compute_credits,
        sum(idle_credits) as idle_credits,
        sum(compute_cost) as compute_cost,
        min(currency) as currency

    from warehouse_hours

    {# Warehouse 0, CLOUD_SERVICES_ONLY, is Snowflake's line for statements
       that ran without a warehouse, not a warehouse anyone owns. #}
    where warehouse_id != 0

    group by 1, 2, 3

),

current_signals as (

    select
        usage.account_name,
        usage.warehouse_id,
        max(
            case when signals.signal_source = 'tag' then signals.entity_id end
        ) as tag_entity_id,
        max(
            case when signals.signal_source = 'seed' then signals.entity_id end
        ) as seed_entity_id

    from usage

    cross join today

    inner join signals
        on {{ ownership_signal_holds(
            "'warehouse'",
            'usage.warehouse_id',
            'upper(usage.warehouse_name)',
            'usage.account_name',
        ) }}

    group by 1, 2

),

named_owners as (

    {# WH_{TEAM}_{ENV}_{SIZE}, for registered entities current today. #}
    select
        usage.account_name,
        usage.warehouse_id,
        max(entities.entity_id) as entity_id

    from usage

    inner join entities
        on
            {{ dbt.split_part('usage.warehouse_name', "'_'", 2) }}
            = upper(replace(replace(entities.entity_id, '-', ''), '_', ''))
            and entities.is_registered
            and entities.is_current

    group by 1, 2

),

owned as (

    select
        usage.*,
        {{ like_any('usage.warehouse_name', shared_patterns) }}
            as is_shared,
        coalesce(
            current_signals.tag_entity_id,
            current_signals.seed_entity_id,
            named_owners.entity_id
        ) as owner_entity_id,
        case
            when current_signals.tag_entity_id is not null
                then 'warehouse tag'
            when current_signals.seed_entity_id is not null
                then 'ownership rule'
            when named_owners.entity_id is not null
                then 'naming convention'
        end as ownership_rule

    from usage

    left join current_signals
        on
            usage.account_name = current_signals.account_name
            and usage.warehouse_id = current_signals.warehouse_id

    left join named_owners
        on
            usage.account_name = named_owners.account_name
            and usage.warehouse_id = named_owners.warehouse_id

),

registrations as (

    select
        entity_id,
        max(case when is_registered then 1 else 0 end) = 1 as is_registered

    from entities

    group by 1

),

final as (

    select
        cast(owned.account_name as {{ dbt.type_string() }}) as account_name,
        cast(owned.region as {{ dbt.type_string() }}) as region,
        cast(owned.warehouse_id as {{ dbt.type_bigint() }}) as warehouse_id,
        cast(owned.warehouse_name as {{ dbt.type_string() }})
            as warehouse_name,
        cast(owned.name_count > 1 as boolean) as was_renamed,
        cast(owned.is_shared as boolean) as is_shared,
        cast(
            coalesce(owned.owner_entity_id, 'UNALLOCATED')
            as {{ dbt.type_string() }}
        ) as owner_entity_id,
        cast(
            case
                when owned.ownership_rule is not null
                    then owned.ownership_rule
                when owned.is_shared then 'shared'
                else 'unallocated'
            end
            as {{ dbt.type_string() }}
        ) as ownership_rule,
        cast(
            case
                when owned.owner_entity_id is null then 'unallocated'
                when coalesce(registrations.is_registered, false)
                    then 'registered'
                else 'unregistered'
            end
            as {{ dbt.type_string() }}
        ) as registration_status,
        cast(owned.first_used_at as {{ dbt.type_timestamp() }})
            as first_used_at,
        cast(owned.last_used_at as {{ dbt.type_timestamp() }})
            as last_used_at,
        cast(owned.query_count as {{ dbt.type_bigint() }}) as query_count,
        cast(owned.compute_credits as {{ credits_type() }})
            as compute_credits,
        cast(owned.idle_credits as {{ credits_type() }}) as idle_credits,
        cast(owned.compute_cost as {{ money_type() }}) as compute_cost,
        cast(owned.currency as {{ dbt.type_string() }}) as currency

    from owned

    left join registrations
        on owned.owner_entity_id = registrations.entity_id

)

select * from final
