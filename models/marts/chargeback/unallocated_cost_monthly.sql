{#
    How much of each month's bill no rule could put on a registered team:
    one row per month and reading, the figure finance watches (the target
    is var snowledger_unallocated_target, 5% by default).
#}

with

monthly as (

    select * from {{ ref('chargeback_monthly') }}

),

entities as (

    select * from {{ ref('chargeback_entities') }}

),

registrations as (

    select
        entity_id,
        max(case when is_registered then 1 else 0 end) = 1 as is_registered

    from entities

    group by 1

),

shares as (

    select
        monthly.month_start,
        monthly.reading,
        min(monthly.currency) as currency,
        sum(monthly.list_cost) as total_cost,
        sum(
            case
                when monthly.entity_id = 'UNALLOCATED' then monthly.list_cost
                else 0
            end
        ) as unallocated_cost,
        sum(
            case
                when
                    monthly.entity_id != 'UNALLOCATED'
                    and not coalesce(registrations.is_registered, false)
                    then monthly.list_cost
                else 0
            end
        ) as unregistered_cost

    from monthly

    left join registrations
        on monthly.entity_id = registrations.entity_id

    group by 1, 2

),

final as (

    select
        cast(month_start as date) as month_start,
        cast(reading as {{ dbt.type_string() }}) as reading,
        cast(total_cost as {{ money_type() }}) as total_cost,
        cast(unallocated_cost as {{ money_type() }}) as unallocated_cost,
        cast(unregistered_cost as {{ money_type() }}) as unregistered_cost,
        cast(
            case
                when total_cost != 0 then unallocated_cost / total_cost
            end
            as decimal(38, 9)
        ) as unallocated_share,
        cast({{ var('snowledger_unallocated_target') }} as decimal(38, 9))
            as target_share,
        cast(
            total_cost = 0
            or unallocated_cost / total_cost
            <= {{ var('snowledger_unallocated_target') }}
            as boolean
        ) as is_within_target,
        cast(currency as {{ dbt.type_string() }}) as currency

    from shares

)

select * from final
