{#
    The bill, one row per UTC day, account, service, usage type, resource and
    cost type: every warehouse's compute and cloud services, the day's 10%
    cloud services adjustment, every serverless feature, storage and data
    transfer, priced at the day's rates and split into what was drawn from
    capacity (RESERVED) and what was billed on demand (ON_DEMAND).
#}

with

warehouse_hours as (

    select * from {{ ref('warehouse_costs_hourly') }}

),

cloud_services_days as (

    select * from {{ ref('int_cloud_services_daily') }}

),

serverless_usage as (

    select * from {{ ref('int_serverless_usage_daily') }}

),

storage_usage as (

    select * from {{ ref('int_storage_usage_daily') }}

),

data_transfer_usage as (

    select * from {{ ref('int_data_transfer_usage_daily') }}

),

rates as (

    select * from {{ ref('daily_rates') }}

),

capacity_contracts as (

    select * from {{ ref('capacity_contracts') }}

),

warehouse_days as (

    {# One line per warehouse id and day: a warehouse renamed during the day
       is listed under the name it had last. #}
    select
        cast(usage_hour as date) as usage_date,
        account_name,
        region,
        warehouse_id,
        max_by(warehouse_name, usage_hour) as warehouse_name,
        sum(compute_credits) as compute_credits,
        sum(cloud_services_credits) as cloud_services_credits

    from warehouse_hours

    group by 1, 2, 3, 4

),

metered_cloud_services as (

    select
        usage_date,
        account_name,
        sum(cloud_services_credits) as credits

    from warehouse_days

    group by 1, 2

),

warehouse_lines as (

    select
        usage_date,
        account_name,
        region,
        'WAREHOUSE_METERING' as service_type,
        'compute' as usage_type,
        'warehouse' as resource_type,
        warehouse_id as resource_id,
        warehouse_name as resource_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        compute_credits as usage_quantity,
        'credits' as usage_unit,
        compute_credits as credits,
        1 as rate_divisor,
        false as is_estimated

    from warehouse_days

    where compute_credits != 0

    union all

    {# Cloud services as used, per warehouse; the adjustment is its own line
       below, as on the invoice. #}
    select
        usage_date,
        account_name,
        region,
        'CLOUD_SERVICES' as service_type,
        'cloud services' as usage_type,
        'warehouse' as resource_type,
        warehouse_id as resource_id,
        warehouse_name as resource_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        cloud_services_credits as usage_quantity,
        'credits' as usage_unit,
        cloud_services_credits as credits,
        1 as rate_divisor,
        false as is_estimated

    from warehouse_days

    where cloud_services_credits != 0

),

cloud_services_lines as (

    {# What METERING_DAILY_HISTORY bills for warehouse cloud services but the
       hourly view does not list (or not yet) keeps the day equal to the
       billed figure. #}
    select
        cloud_services_days.usage_date,
        cloud_services_days.account_name,
        cloud_services_days.region,
        'CLOUD_SERVICES' as service_type,
        'cloud services' as usage_type,
        'account' as resource_type,
        cast(null as {{ dbt.type_bigint() }}) as resource_id,
        'not in warehouse metering' as resource_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        cloud_services_days.used_credits
        - coalesce(metered_cloud_services.credits, 0) as usage_quantity,
        'credits' as usage_unit,
        cloud_services_days.used_credits
        - coalesce(metered_cloud_services.credits, 0) as credits,
        1 as rate_divisor,
        cloud_services_days.is_estimated

    from cloud_services_days

    left join metered_cloud_services
        on
            cloud_services_days.account_name
            = metered_cloud_services.account_name
            and cloud_services_days.usage_date
            = metered_cloud_services.usage_date

    where
        cloud_services_days.used_credits
        != coalesce(metered_cloud_services.credits, 0)

    union all

    select
        usage_date,
        account_name,
        region,
        'CLOUD_SERVICES' as service_type,
        'adj for incl cloud services' as usage_type,
        'account' as resource_type,
        cast(null as {{ dbt.type_bigint() }}) as resource_id,
        'cloud services adjustment' as resource_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        adjustment_credits as usage_quantity,
        'credits' as usage_unit,
        adjustment_credits as credits,
        1 as rate_divisor,
        is_estimated

    from cloud_services_days

    where adjustment_credits != 0

),

other_lines as (

    select
        usage_date,
        account_name,
        region,
        service_type,
        usage_type,
        resource_type,
        resource_id,
        resource_name,
        database_name,
        usage_quantity,
        usage_unit,
        credits,
        rate_divisor,
        false as is_estimated

    from serverless_usage

    union all

    select
        usage_date,
        account_name,
        region,
        service_type,
        usage_type,
        resource_type,
        resource_id,
        resource_name,
        database_name,
        usage_quantity,
        usage_unit,
        credits,
        rate_divisor,
        false as is_estimated

    from storage_usage

    union all

    select
        usage_date,
        account_name,
        region,
        service_type,
        usage_type,
        resource_type,
        resource_id,
        resource_name,
        database_name,
        usage_quantity,
        usage_unit,
        credits,
        rate_divisor,
        false as is_estimated

    from data_transfer_usage

),

usage_lines as (

    select * from warehouse_lines

    union all

    select * from cloud_services_lines

    union all

    select * from other_lines

),

service_rates as (

    {# Serverless lines name their service, not a usage type: one rate per
       service and day (an adjustment rate is never a service's own). #}
    select * from rates

    where not is_adjustment

    qualify row_number() over (
        partition by rate_date, account_name, service_type
        order by usage_type
    ) = 1

),

compute_rates as (

    select * from rates

    where usage_type = 'compute'

),

rated_lines as (

    {# The rate of the line's usage type, else of its service, else (for a
       credit the rate sheet does not list yet, such as a new service) the
       day's compute rate, else the configured price. #}
    select
        usage_lines.*,
        case
            when by_usage_type.rate_date is not null then 'usage type'
            when by_service.rate_date is not null then 'service'
            when
                usage_lines.usage_unit = 'credits'
                and compute_rates.rate_date is not null
                then 'compute'
        end as _rate_match,
        by_usage_type.capacity_rate as _usage_type_capacity_rate,
        by_usage_type.on_demand_rate as _usage_type_on_demand_rate,
        by_usage_type.on_demand_share as _usage_type_on_demand_share,
        by_usage_type.currency as _usage_type_currency,
        by_usage_type.rate_source as _usage_type_rate_source,
        by_service.capacity_rate as _service_capacity_rate,
        by_service.on_demand_rate as _service_on_demand_rate,
        by_service.on_demand_share as _service_on_demand_share,
        by_service.currency as _service_currency,
        by_service.rate_source as _service_rate_source,
        compute_rates.capacity_rate as _compute_capacity_rate,
        compute_rates.on_demand_rate as _compute_on_demand_rate,
        compute_rates.on_demand_share as _compute_on_demand_share,
        compute_rates.currency as _compute_currency,
        coalesce(
            by_usage_type.has_contract_balance,
            by_service.has_contract_balance,
            compute_rates.has_contract_balance,
            false
        ) as has_contract_balance

    from usage_lines

    left join rates as by_usage_type
        on
            usage_lines.account_name = by_usage_type.account_name
            and usage_lines.usage_date = by_usage_type.rate_date
            and usage_lines.usage_type = by_usage_type.usage_type

    left join service_rates as by_service
        on
            usage_lines.account_name = by_service.account_name
            and usage_lines.usage_date = by_service.rate_date
            and usage_lines.service_type = by_service.service_type
            and usage_lines.usage_type is null

    left join compute_rates
        on
            usage_lines.account_name = compute_rates.account_name
            and usage_lines.usage_date = compute_rates.rate_date

),

priced_lines as (

    select
        *,
        case _rate_match
            when 'usage type' then _usage_type_capacity_rate
            when 'service' then _service_capacity_rate
            when 'compute' then _compute_capacity_rate
            else {{ configured_price('service_type') }}
        end as capacity_rate,
        case _rate_match
            when 'usage type' then _usage_type_on_demand_rate
            when 'service' then _service_on_demand_rate
            when 'compute' then _compute_on_demand_rate
            else {{ configured_price('service_type') }}
        end as on_demand_rate,
        {# Without any rate there is no contract to draw from. #}
        case _rate_match
            when 'usage type' then _usage_type_on_demand_share
            when 'service' then _service_on_demand_share
            when 'compute' then _compute_on_demand_share
            else 1
        end as on_demand_share,
        case _rate_match
            when 'usage type' then _usage_type_currency
            when 'service' then _service_currency
            when 'compute' then _compute_currency
            else '{{ var("snowledger_currency") }}'
        end as currency,
        case _rate_match
            when 'usage type' then _usage_type_rate_source
            when 'service' then _service_rate_source
            when 'compute' then 'compute rate, service not on rate sheet'
            else 'configured price'
        end as rate_source

    from rated_lines

),

seeded_contract_days as (

    {# An account whose contract balance ORGANIZATION_USAGE does not show
       draws from the seed's capacity contracts, day by day, at the
       capacity rate; the earliest contract of a day is drawn first. #}
    select
        capacity_contracts.contract_number,
        capacity_contracts.start_date,
        capacity_contracts.capacity_amount,
        priced_lines.usage_date,
        sum(
            priced_lines.usage_quantity * priced_lines.capacity_rate
            / priced_lines.rate_divisor
        ) as capacity_cost

    from priced_lines

    inner join capacity_contracts
        on
            priced_lines.usage_date >= capacity_contracts.start_date
            and priced_lines.usage_date < capacity_contracts.end_date

    where not priced_lines.has_contract_balance

    group by 1, 2, 3, 4

),

seeded_contract_drawdown as (

    select
        *,
        coalesce(
            sum(capacity_cost) over (
                partition by contract_number
                order by usage_date
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as drawn_before

    from seeded_contract_days

),

seeded_contract_shares as (

    {# The part of the day's usage the remaining capacity does not cover
       is on demand. #}
    select
        usage_date,
        case
            when drawn_before >= capacity_amount then 1
            when drawn_before + capacity_cost <= capacity_amount then 0
            else
                (drawn_before + capacity_cost - capacity_amount)
                / capacity_cost
        end as on_demand_share

    from seeded_contract_drawdown

    qualify row_number() over (
        partition by usage_date
        order by start_date, contract_number
    ) = 1

),

contract_lines as (

    select
        priced_lines.* exclude (on_demand_share),
        coalesce(
            seeded_contract_shares.on_demand_share,
            priced_lines.on_demand_share
        ) as on_demand_share

    from priced_lines

    left join seeded_contract_shares
        on
            not priced_lines.has_contract_balance
            and priced_lines.usage_date = seeded_contract_shares.usage_date

),

cost_type_lines as (

    {# The on-demand part is rounded to the nano-unit and the reserved part
       is the rest, so that the two parts of a line add up to it exactly. #}
    select
        contract_lines.*,
        'ON_DEMAND' as cost_type,
        contract_lines.on_demand_rate as rate_per_unit,
        cast(
            contract_lines.usage_quantity * contract_lines.on_demand_share
            as decimal(38, 9)
        ) as _part_quantity

    from contract_lines

    where contract_lines.on_demand_share > 0

    union all

    select
        contract_lines.*,
        'RESERVED' as cost_type,
        contract_lines.capacity_rate as rate_per_unit,
        contract_lines.usage_quantity
        - cast(
            contract_lines.usage_quantity * contract_lines.on_demand_share
            as decimal(38, 9)
        ) as _part_quantity

    from contract_lines

    where contract_lines.on_demand_share < 1

),

final as (

    select
        cast(usage_date as date) as usage_date,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(region as {{ dbt.type_string() }}) as region,
        {# `service` is the interface name, though Snowflake reserves it. #}
        cast(service_type as {{ dbt.type_string() }}) as service, -- noqa: RF04
        cast(usage_type as {{ dbt.type_string() }}) as usage_type,
        cast(resource_type as {{ dbt.type_string() }}) as resource_type,
        cast(resource_id as {{ dbt.type_bigint() }}) as resource_id,
        cast(resource_name as {{ dbt.type_string() }}) as resource_name,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        cast(cost_type as {{ dbt.type_string() }}) as cost_type,
        cast(_part_quantity as decimal(38, 9)) as usage_quantity,
        cast(usage_unit as {{ dbt.type_string() }}) as usage_unit,
        cast(
            case when credits is not null then _part_quantity end
            as {{ credits_type() }}
        ) as credits,
        cast(rate_per_unit as {{ money_type() }}) as rate_per_unit,
        cast(rate_divisor as {{ dbt.type_int() }}) as rate_divisor,
        cast(
            _part_quantity * rate_per_unit / rate_divisor as {{ money_type() }}
        ) as cost,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(rate_source as {{ dbt.type_string() }}) as rate_source,
        cast(is_estimated as boolean) as is_estimated

    from cost_type_lines

)

select * from final
