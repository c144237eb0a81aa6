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

final as (

    select
        cast(month_start as date) as month_start,
        cast(reading as {{ dbt.type_string() }}) as reading,
        cast(entity_id as {{ dbt.type_string() }}) as entity_id,
        cast(team_name as {{ dbt.type_string() }}) as team_name,
        cast(department_name as {{ dbt.type_string() }}) as department_name,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(credits as {{ credits_type() }}) as credits,
        cast(list_cost as {{ money_type() }}) as list_cost,
        cast(direct_cost as {{ money_type() }}) as direct_cost,
        cast(shared_cost as {{ money_type() }}) as shared_cost,
        cast(reserved_cost as {{ money_type() }}) as reserved_cost,
        cast(on_demand_cost as {{ money_type() }}) as on_demand_cost,
        cast(tier_adjustment as {{ money_type() }}) as tier_adjustment,
        cast(list_cost + tier_adjustment as {{ money_type() }})
            as charged_cost,
        cast(currency as {{ dbt.type_string() }}) as currency

    from statements

)

select * from final
