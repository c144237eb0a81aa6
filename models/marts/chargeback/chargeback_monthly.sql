{#
    The monthly chargeback statement: one row per month, reading (as of the
    day, restated under today's structure) and entity, with list cost, its
    split into direct and shared costs and into reserved and on-demand, the
    tier adjustment, and the charged cost.
#}

with

daily as (

    select * from {{ ref('chargeback_daily') }}

),

pricing_adjustments as (

    select * from {{ ref('pricing_adjustments_monthly') }}

),

unused_capacity as (

    select * from {{ ref('int_unused_capacity') }}

),

policies as (

    select * from {{ ref('shared_cost_policies') }}

    where cost_kind = 'unused_capacity'

),

entities as (

    select * from {{ ref('chargeback_entities') }}

),

daily_months as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date)
            as month_start,
        attribution_rule like 'shared %' as is_shared_cost,
        restated_attribution_rule like 'shared %' as is_restated_shared_cost

    from daily

),

as_of_months as (

    {{ chargeback_monthly_reading(
        'as of the day', 'entity_id', 'team_name', 'department_name',
        'cost_center', 'is_shared_cost',
    ) }}

),

restated_months as (

    {{ chargeback_monthly_reading(
        'restated', 'restated_entity_id', 'restated_team_name',
        'restated_department_name', 'restated_cost_center',
        'is_restated_shared_cost',
    ) }}

),

entity_adjustments as (

    select
        month_start,
        entity_id,
        sum(tier_adjustment) as tier_adjustment

    from pricing_adjustments

    group by 1, 2

),

moved_credits as (

    {# Where each entity's credits of the month went under today's
       structure: its tier adjustment follows them. #}
    select
        month_start,
        entity_id,
        restated_entity_id,
        sum(coalesce(credits, 0)) as credits

    from daily_months

    group by 1, 2, 3

),

{% set partition = ['month_start', 'entity_id'] %}

restated_adjustment_bases as (

    select
        moved_credits.month_start,
        moved_credits.entity_id,
        moved_credits.restated_entity_id,
        case
            when entity_adjustments.tier_adjustment < 0 then -1 else 1
        end as _sign,
        abs(entity_adjustments.tier_adjustment) as _amount,
        cast(
            greatest(moved_credits.credits, 0) * 1000000000 as decimal(38, 0)
        ) as _weight_nano

    from moved_credits

    inner join entity_adjustments
        on
            moved_credits.month_start = entity_adjustments.month_start
            and moved_credits.entity_id = entity_adjustments.entity_id

),

restated_adjustment_weights as (

    select
        restated_adjustment_bases.*,
        {{ allocation_base('_amount', '_weight_nano', partition) }}

    from restated_adjustment_bases

),

restated_adjustments as (

    select
        month_start,
        restated_entity_id as entity_id,
        sum(adjustment) as tier_adjustment

    from (
        select
            month_start,
            restated_entity_id,
            _sign * {{ allocation_credits(partition, 'restated_entity_id') }}
                as adjustment
        from restated_adjustment_weights
    ) as adjustment_shares

    group by 1, 2

),

statements as (

    select
        as_of_months.*,
        coalesce(entity_adjustments.tier_adjustment, 0) as tier_adjustment

    from as_of_months

    left join entity_adjustments
        on
            as_of_months.month_start = entity_adjustments.month_start
            and as_of_months.entity_id = entity_adjustments.entity_id

    union all

    select
        restated_months.*,
        coalesce(restated_adjustments.tier_adjustment, 0) as tier_adjustment

    from restated_months

    left join restated_adjustments
        on
            restated_months.month_start = restated_adjustments.month_start
            and restated_months.entity_id = restated_adjustments.entity_id

),

readings as (

    select 'as of the day' as reading

    union all

    select 'restated' as reading

),

reserved_by_entity as (

    {# Who drew the capacity: each entity's RESERVED cost over the
       contract, in each reading. #}
    select
        unused_capacity.contract_number,
        readings.reading,
        case
            when readings.reading = 'restated'
                then daily_months.restated_entity_id
            else daily_months.entity_id
        end as entity_id,
        sum(daily_months.cost) as weight

    from unused_capacity

    cross join readings

    inner join daily_months
        on
            unused_capacity.start_date <= daily_months.usage_date
            and unused_capacity.last_date >= daily_months.usage_date
            and daily_months.cost_type = 'RESERVED'

    group by 1, 2, 3

),

unused_receivers as (

    {# The policy for unused_capacity: `proportional` to the entities
       that drew the capacity; anything else, or nobody to share with, to
       the central entity (UNALLOCATED without a policy row). #}
    select
        unused_capacity.contract_number,
        unused_capacity.month_start,
        unused_capacity.unused_amount,
        reserved_by_entity.reading,
        reserved_by_entity.entity_id,
        reserved_by_entity.weight

    from unused_capacity

    inner join policies
        on policies.policy = 'proportional'

    inner join reserved_by_entity
        on unused_capacity.contract_number = reserved_by_entity.contract_number

    where
        reserved_by_entity.entity_id != 'UNALLOCATED'
        and reserved_by_entity.weight > 0

),

central_receivers as (

    select
        unused_capacity.contract_number,
        unused_capacity.month_start,
        unused_capacity.unused_amount,
        readings.reading,
        coalesce(policies.central_entity_id, 'UNALLOCATED') as entity_id,
        1 as weight

    from unused_capacity

    cross join readings

    left join policies
        on true

    left join unused_receivers
        on
            unused_capacity.contract_number = unused_receivers.contract_number
            and readings.reading = unused_receivers.reading

    where unused_receivers.contract_number is null

),

{% set unused_partition = ['contract_number', 'reading'] %}

unused_weights as (

    select
        *,
        cast(weight * 1000000000 as decimal(38, 0)) as _weight_nano

    from (
        select * from unused_receivers
        union all
        select * from central_receivers
    ) as receivers

),

unused_bases as (

    select
        unused_weights.*,
        {{ allocation_base('unused_amount', '_weight_nano', unused_partition) }}

    from unused_weights

),

unused_shares as (

    select
        month_start,
        reading,
        entity_id,
        sum(entity_share) as unused_capacity_cost

    from (
        select
            month_start,
            reading,
            entity_id,
            {{ allocation_credits(unused_partition, 'entity_id') }}
                as entity_share
        from unused_bases
    ) as contract_shares

    group by 1, 2, 3

),

statement_rows as (

    select
        month_start,
        reading,
        entity_id,
        team_name,
        department_name,
        cost_center,
        currency,
        credits,
        list_cost,
        direct_cost,
        shared_cost,
        reserved_cost,
        on_demand_cost,
        tier_adjustment,
        0 as unused_capacity_cost

    from statements

    union all

    select
        month_start,
        reading,
        entity_id,
        cast(null as {{ dbt.type_string() }}) as team_name,
        cast(null as {{ dbt.type_string() }}) as department_name,
        cast(null as {{ dbt.type_string() }}) as cost_center,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as {{ credits_type() }}) as credits,
        0 as list_cost,
        0 as direct_cost,
        0 as shared_cost,
        0 as reserved_cost,
        0 as on_demand_cost,
        0 as tier_adjustment,
        unused_capacity_cost

    from unused_shares

),

combined as (

    select
        month_start,
        reading,
        entity_id,
        max(team_name) as team_name,
        max(department_name) as department_name,
        max(cost_center) as cost_center,
        max(currency) as currency,
        sum(credits) as credits,
        sum(list_cost) as list_cost,
        sum(direct_cost) as direct_cost,
        sum(shared_cost) as shared_cost,
        sum(reserved_cost) as reserved_cost,
        sum(on_demand_cost) as on_demand_cost,
        sum(tier_adjustment) as tier_adjustment,
        sum(unused_capacity_cost) as unused_capacity_cost

    from statement_rows

    group by 1, 2, 3

),

current_entities as (

    select * from entities

    where is_latest_version

),

final as (

    select
        cast(combined.month_start as date) as month_start,
        cast(combined.reading as {{ dbt.type_string() }}) as reading,
        cast(combined.entity_id as {{ dbt.type_string() }}) as entity_id,
        cast(
            coalesce(combined.team_name, current_entities.team_name)
            as {{ dbt.type_string() }}
        ) as team_name,
        cast(
            coalesce(
                combined.department_name, current_entities.department_name
            )
            as {{ dbt.type_string() }}
        ) as department_name,
        cast(
            coalesce(combined.cost_center, current_entities.cost_center)
            as {{ dbt.type_string() }}
        ) as cost_center,
        cast(combined.credits as {{ credits_type() }}) as credits,
        cast(combined.list_cost as {{ money_type() }}) as list_cost,
        cast(combined.direct_cost as {{ money_type() }}) as direct_cost,
        cast(combined.shared_cost as {{ money_type() }}) as shared_cost,
        cast(combined.reserved_cost as {{ money_type() }}) as reserved_cost,
        cast(combined.on_demand_cost as {{ money_type() }}) as on_demand_cost,
        cast(combined.tier_adjustment as {{ money_type() }})
            as tier_adjustment,
        cast(combined.unused_capacity_cost as {{ money_type() }})
            as unused_capacity_cost,
        cast(
            combined.list_cost
            + combined.tier_adjustment
            + combined.unused_capacity_cost
            as {{ money_type() }}
        ) as charged_cost,
        cast(
            coalesce(combined.currency, '{{ var("snowledger_currency") }}')
            as {{ dbt.type_string() }}
        ) as currency

    from combined

    left join current_entities
        on combined.entity_id = current_entities.entity_id

)

select * from final
