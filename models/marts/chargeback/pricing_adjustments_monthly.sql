{#
    Negotiated tier discounts, booked per month: one row per calendar month,
    entity (as of the day), contract year and currency. The contract year's
    credits accumulate over every entity, day by day, from its start; each
    month's discount is shared among entities by their credits, to the
    nano-unit. Usage outside every contract year, and usage not billed in
    credits, stays at list price on rows of its own month and entity.
#}

with

daily as (

    select * from {{ ref('chargeback_daily') }}

),

tiers as (

    select * from {{ ref('pricing_tiers') }}

),

contracts as (

    {# One mode per contract year (assert_pricing_tiers_are_well_formed);
       a second end date or currency would repeat usage rows, which the
       grain test reports. #}
    select distinct
        contract_start_date,
        contract_end_date,
        pricing_mode,
        currency

    from tiers

),

tier_bands as (

    {# A tier's band of the year's credits runs from its threshold up to
       the next tier's threshold; the highest band is open. #}
    select
        contract_start_date,
        threshold_credits,
        lead(threshold_credits) over (
            partition by contract_start_date
            order by threshold_credits
        ) as next_threshold_credits,
        discount

    from tiers

),

usage_lines as (

    {# A contract covers the days of its year billed in its currency. #}
    select
        daily.entity_id,
        daily.usage_date,
        cast({{ dbt.date_trunc('month', 'daily.usage_date') }} as date)
            as month_start,
        daily.currency,
        daily.credits,
        daily.cost,
        contracts.contract_start_date,
        contracts.pricing_mode

    from daily

    left join contracts
        on
            daily.usage_date >= contracts.contract_start_date
            and daily.usage_date < contracts.contract_end_date
            and daily.currency = contracts.currency

),

credit_lines as (

    {# Only usage billed in credits counts towards thresholds and earns
       discounts; storage and data transfer (credits null) do not. #}
    select * from usage_lines

    where contract_start_date is not null and credits is not null

),

credit_days as (

    select
        contract_start_date,
        pricing_mode,
        month_start,
        usage_date,
        sum(credits) as day_credits,
        sum(cost) as day_list_cost

    from credit_lines

    group by 1, 2, 3, 4

),

day_positions as (

    {# The day's credits fill [credits_before, credits_through) of the
       contract year. #}
    select
        *,
        coalesce(
            sum(day_credits) over (
                partition by contract_start_date
                order by usage_date
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as credits_before,
        sum(day_credits) over (
            partition by contract_start_date
            order by usage_date
            rows between unbounded preceding and current row
        ) as credits_through

    from credit_days

),

graduated_day_bands as (

    {# The credits of the day that fall in each band, times its discount:
       the day's discounted credits. #}
    select
        day_positions.contract_start_date,
        day_positions.month_start,
        day_positions.usage_date,
        day_positions.day_credits,
        day_positions.day_list_cost,
        sum(
            greatest(
                least(
                    day_positions.credits_through,
                    coalesce(
                        tier_bands.next_threshold_credits,
                        day_positions.credits_through
                    )
                )
                - greatest(
                    day_positions.credits_before, tier_bands.threshold_credits
                ),
                0
            )
            * tier_bands.discount
        ) as discounted_credits

    from day_positions

    inner join tier_bands
        on day_positions.contract_start_date = tier_bands.contract_start_date

    where day_positions.pricing_mode = 'graduated'

    group by 1, 2, 3, 4, 5

),

graduated_day_fractions as (

    {# discount = list cost x discounted credits / credits, in whole
       nano-units: numerator and denominator as integers (discounted
       credits kept to 12 decimals), so that the quotient never goes
       through floating point. #}
    select
        contract_start_date,
        month_start,
        usage_date,
        cast(day_list_cost * 1000000000 as decimal(38, 0))
        * cast(discounted_credits * 1000000000000 as decimal(38, 0))
            as _numerator,
        cast(day_credits * 1000000000 as decimal(38, 0)) * 1000
            as _denominator

    from graduated_day_bands

    where
        day_credits > 0
        and day_list_cost > 0
        and discounted_credits > 0

),

graduated_days as (

    {# Rounded half up to the nano-unit, once per day. #}
    select
        contract_start_date,
        month_start,
        usage_date,
        {{ nano_to_credits(snowledger_floor_div(
            '2 * _numerator + _denominator', '2 * _denominator'
        )) }} as day_discount

    from graduated_day_fractions

),

graduated_months as (

    select
        contract_start_date,
        month_start,
        sum(day_discount) as month_discount

    from graduated_days

    group by 1, 2

),

credit_months as (

    select
        contract_start_date,
        pricing_mode,
        month_start,
        sum(day_credits) as month_credits,
        sum(day_list_cost) as month_list_cost

    from credit_days

    group by 1, 2, 3

),

month_positions as (

    select
        *,
        coalesce(
            sum(month_credits) over (
                partition by contract_start_date
                order by month_start
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as credits_before,
        sum(month_credits) over (
            partition by contract_start_date
            order by month_start
            rows between unbounded preceding and current row
        ) as credits_through,
        coalesce(
            sum(month_list_cost) over (
                partition by contract_start_date
                order by month_start
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as list_cost_before

    from credit_months

),

month_tiers as (

    {# The tier reached is the band the year's credits are in: at the
       start of the month and at its end. Below the lowest threshold, no
       tier and no discount. #}
    select
        month_positions.*,
        start_band.threshold_credits as start_threshold_credits,
        end_band.threshold_credits as end_threshold_credits,
        coalesce(end_band.discount, 0) as end_discount,
        coalesce(end_band.discount, 0) - coalesce(start_band.discount, 0)
            as discount_change

    from month_positions

    left join tier_bands as start_band
        on
            month_positions.contract_start_date
            = start_band.contract_start_date
            and month_positions.credits_before
            >= start_band.threshold_credits
            and (
                start_band.next_threshold_credits is null
                or month_positions.credits_before
                < start_band.next_threshold_credits
            )

    left join tier_bands as end_band
        on
            month_positions.contract_start_date = end_band.contract_start_date
            and month_positions.credits_through >= end_band.threshold_credits
            and (
                end_band.next_threshold_credits is null
                or month_positions.credits_through
                < end_band.next_threshold_credits
            )

),

month_discounts as (

    {# Retroactive: the month's own credits at the tier reached by its end,
       plus, in the month a threshold is crossed, the earlier months of the
       year re-priced from the old tier's discount to the new one's. #}
    select
        month_tiers.contract_start_date,
        month_tiers.month_start,
        month_tiers.end_discount as discount_rate_reached,
        month_tiers.pricing_mode = 'retroactive'
        and coalesce(month_tiers.start_threshold_credits, -1)
        != coalesce(month_tiers.end_threshold_credits, -1)
            as is_catch_up_month,
        case
            when month_tiers.pricing_mode = 'graduated'
                then coalesce(graduated_months.month_discount, 0)
            else
                cast(
                    month_tiers.month_list_cost * month_tiers.end_discount
                    as {{ money_type() }}
                )
        end as month_discount,
        case
            when month_tiers.pricing_mode = 'retroactive'
                then
                    cast(
                        month_tiers.list_cost_before
                        * month_tiers.discount_change
                        as {{ money_type() }}
                    )
            else 0
        end as catch_up_discount

    from month_tiers

    left join graduated_months
        on
            month_tiers.contract_start_date
            = graduated_months.contract_start_date
            and month_tiers.month_start = graduated_months.month_start

),

entity_credit_months as (

    select
        contract_start_date,
        month_start,
        entity_id,
        sum(credits) as credits

    from credit_lines

    group by 1, 2, 3

),

catch_up_weights as (

    {# The catch-up re-prices the earlier months of the year, so each
       entity's share follows its credits in those months; an entity
       without usage in the month of crossing still gets its share. #}
    select
        month_discounts.contract_start_date,
        month_discounts.month_start,
        earlier_months.entity_id,
        sum(earlier_months.credits) as credits

    from month_discounts

    inner join entity_credit_months as earlier_months
        on
            month_discounts.contract_start_date
            = earlier_months.contract_start_date
            and month_discounts.month_start > earlier_months.month_start

    where month_discounts.catch_up_discount != 0

    group by 1, 2, 3

),

discount_parts as (

    select
        entity_credit_months.contract_start_date,
        entity_credit_months.month_start,
        'month' as discount_part,
        entity_credit_months.entity_id,
        entity_credit_months.credits,
        month_discounts.month_discount as discount

    from entity_credit_months

    inner join month_discounts
        on
            entity_credit_months.contract_start_date
            = month_discounts.contract_start_date
            and entity_credit_months.month_start = month_discounts.month_start

    union all

    select
        catch_up_weights.contract_start_date,
        catch_up_weights.month_start,
        'catch-up' as discount_part,
        catch_up_weights.entity_id,
        catch_up_weights.credits,
        month_discounts.catch_up_discount as discount

    from catch_up_weights

    inner join month_discounts
        on
            catch_up_weights.contract_start_date
            = month_discounts.contract_start_date
            and catch_up_weights.month_start = month_discounts.month_start

),

{% set partition = ['contract_start_date', 'month_start', 'discount_part'] %}

discount_weights as (

    {# Allocation shares non-negative amounts by non-negative weights: the
       sign is set aside, and an entity with net negative credits weighs 0. #}
    select
        *,
        case when discount < 0 then -1 else 1 end as _sign,
        abs(discount) as _amount,
        cast(greatest(credits, 0) * 1000000000 as decimal(38, 0))
            as _weight_nano

    from discount_parts

),

discount_bases as (

    select
        discount_weights.*,
        {{ allocation_base('_amount', '_weight_nano', partition) }}

    from discount_weights

),

entity_discounts as (

    select
        contract_start_date,
        month_start,
        entity_id,
        _sign * {{ allocation_credits(partition, 'entity_id') }}
            as entity_discount

    from discount_bases

),

statement_lines as (

    {# Every line of usage at list price, and every share of a discount,
       on the month, entity and contract year they belong to. #}
    select
        month_start,
        entity_id,
        contract_start_date,
        currency,
        coalesce(credits, 0) as credits,
        cost as list_cost,
        0 as tier_adjustment

    from usage_lines

    union all

    select
        entity_discounts.month_start,
        entity_discounts.entity_id,
        entity_discounts.contract_start_date,
        contracts.currency,
        0 as credits,
        0 as list_cost,
        -1 * entity_discounts.entity_discount as tier_adjustment

    from entity_discounts

    inner join contracts
        on entity_discounts.contract_start_date = contracts.contract_start_date

),

statements as (

    select
        month_start,
        entity_id,
        contract_start_date,
        currency,
        sum(credits) as credits,
        sum(list_cost) as list_cost,
        sum(tier_adjustment) as tier_adjustment

    from statement_lines

    group by 1, 2, 3, 4

),

final as (

    select
        cast(statements.month_start as date) as month_start,
        cast(statements.entity_id as {{ dbt.type_string() }}) as entity_id,
        cast(statements.contract_start_date as date) as contract_start_date,
        cast(contracts.pricing_mode as {{ dbt.type_string() }})
            as pricing_mode,
        cast(statements.credits as {{ credits_type() }}) as credits,
        cast(statements.list_cost as {{ money_type() }}) as list_cost,
        cast(
            coalesce(month_discounts.discount_rate_reached, 0)
            as decimal(38, 9)
        ) as discount_rate_reached,
        cast(statements.tier_adjustment as {{ money_type() }})
            as tier_adjustment,
        cast(
            statements.list_cost + statements.tier_adjustment
            as {{ money_type() }}
        ) as charged_cost,
        cast(statements.currency as {{ dbt.type_string() }}) as currency,
        cast(
            coalesce(month_discounts.is_catch_up_month, false) as boolean
        ) as is_catch_up_month

    from statements

    left join contracts
        on statements.contract_start_date = contracts.contract_start_date

    left join month_discounts
        on
            statements.contract_start_date
            = month_discounts.contract_start_date
            and statements.month_start = month_discounts.month_start

)

select * from final
