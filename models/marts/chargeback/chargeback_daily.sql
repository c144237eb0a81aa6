{#
    Who pays for what, day by day: one row per UTC day, account, entity,
    service, cost type and attribution rule, with the entity the cost falls
    to when restated under today's structure beside it. Every dollar of
    daily_spend is on exactly one row of each reading.
#}

with

allocated_lines as (

    select * from {{ ref('int_chargeback_allocated') }}

),

entities as (

    select * from {{ ref('chargeback_entities') }}

),

latest_versions as (

    select * from entities

    where is_latest_version

),

daily as (

    select
        usage_date,
        account_name,
        region,
        entity_id,
        service,
        cost_type,
        attribution_rule,
        restated_entity_id,
        restated_attribution_rule,
        currency,
        {{ nano_to_credits('sum(credits_nano)') }} as credits,
        {{ nano_to_credits('sum(cost_nano)') }} as cost

    from allocated_lines

    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

as_of_versions as (

    {# The version valid on the day; a day before an entity's first version
       (a tag naming a team before it was registered) takes its first. #}
    select
        entity_days.usage_date,
        entity_days.entity_id,
        entities.team_name,
        entities.department_name,
        entities.cost_center,
        entities.is_registered

    from (select distinct
        usage_date,
        entity_id
    from daily) as entity_days

    inner join entities
        on entity_days.entity_id = entities.entity_id

    qualify row_number() over (
        partition by entity_days.usage_date, entity_days.entity_id
        order by
            case
                when
                    entity_days.usage_date >= entities.valid_from
                    and (
                        entities.valid_to is null
                        or entity_days.usage_date < entities.valid_to
                    )
                    then 0
                else 1
            end,
            entities.valid_from
    ) = 1

),

final as (

    select
        cast(daily.usage_date as date) as usage_date,
        cast(daily.account_name as {{ dbt.type_string() }}) as account_name,
        cast(daily.region as {{ dbt.type_string() }}) as region,
        cast(daily.entity_id as {{ dbt.type_string() }}) as entity_id,
        cast(as_of_versions.team_name as {{ dbt.type_string() }})
            as team_name,
        cast(as_of_versions.department_name as {{ dbt.type_string() }})
            as department_name,
        cast(as_of_versions.cost_center as {{ dbt.type_string() }})
            as cost_center,
        cast(coalesce(as_of_versions.is_registered, false) as boolean)
            as is_registered,
        cast(daily.service as {{ dbt.type_string() }}) as service, -- noqa: RF04
        cast(daily.cost_type as {{ dbt.type_string() }}) as cost_type,
        cast(daily.attribution_rule as {{ dbt.type_string() }})
            as attribution_rule,
        cast(daily.restated_entity_id as {{ dbt.type_string() }})
            as restated_entity_id,
        cast(latest_versions.team_name as {{ dbt.type_string() }})
            as restated_team_name,
        cast(latest_versions.department_name as {{ dbt.type_string() }})
            as restated_department_name,
        cast(latest_versions.cost_center as {{ dbt.type_string() }})
            as restated_cost_center,
        cast(daily.restated_attribution_rule as {{ dbt.type_string() }})
            as restated_attribution_rule,
        cast(daily.credits as {{ credits_type() }}) as credits,
        cast(daily.cost as {{ money_type() }}) as cost,
        cast(daily.currency as {{ dbt.type_string() }}) as currency

    from daily

    left join as_of_versions
        on
            daily.usage_date = as_of_versions.usage_date
            and daily.entity_id = as_of_versions.entity_id

    left join latest_versions
        on daily.restated_entity_id = latest_versions.entity_id

)

select * from final
