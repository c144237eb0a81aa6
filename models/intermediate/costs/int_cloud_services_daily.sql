{#
    One row per account and UTC day with warehouse cloud services: what was
    used, the 10% adjustment and what was billed. Billed figures are
    METERING_DAILY_HISTORY's own; days that view does not list yet (it is up
    to three hours late, and a day is final only once all its hours are in)
    are estimated from the hourly metering with Snowflake's rule, and
    flagged.
#}

with

daily_metering as (

    select * from {{ ref('stg_account_usage__metering_daily_history') }}

),

hourly_metering as (

    select * from {{ ref('stg_account_usage__warehouse_metering_history') }}

),

billed as (

    {# Cloud services of serverless features are billed with the feature;
       the adjustment only offsets warehouse cloud services. Snowflake does
       not document which rows carry the adjustment, so every row's counts. #}
    select
        account_name,
        region,
        usage_date,
        sum(
            case
                when service_type = 'WAREHOUSE_METERING'
                    then coalesce(cloud_services_credits, 0)
                else 0
            end
        ) as used_credits,
        sum(coalesce(cloud_services_adjustment_credits, 0))
            as adjustment_credits,
        sum(
            case
                when service_type = 'WAREHOUSE_METERING'
                    then coalesce(compute_credits, 0)
                else 0
            end
        ) as warehouse_compute_credits

    from daily_metering

    group by 1, 2, 3

),

hourly as (

    select
        account_name,
        region,
        cast(usage_hour as date) as usage_date,
        sum(coalesce(cloud_services_credits, 0)) as used_credits,
        sum(coalesce(compute_credits, 0)) as warehouse_compute_credits

    from hourly_metering

    group by 1, 2, 3

),

days as (

    select
        coalesce(billed.account_name, hourly.account_name) as account_name,
        coalesce(billed.region, hourly.region) as region,
        coalesce(billed.usage_date, hourly.usage_date) as usage_date,
        billed.account_name is null as is_estimated,
        coalesce(billed.used_credits, hourly.used_credits) as used_credits,
        coalesce(
            billed.warehouse_compute_credits, hourly.warehouse_compute_credits
        ) as warehouse_compute_credits,
        {# Snowflake's rule, for days it has not billed yet: cloud services
           are free up to 10% of the day's warehouse compute. #}
        coalesce(
            billed.adjustment_credits,
            -1 * least(
                hourly.used_credits, hourly.warehouse_compute_credits / 10
            )
        ) as adjustment_credits

    from billed

    full outer join hourly
        on
            billed.account_name = hourly.account_name
            and billed.usage_date = hourly.usage_date

),

final as (

    select
        account_name,
        region,
        usage_date,
        cast(used_credits as {{ credits_type() }}) as used_credits,
        cast(adjustment_credits as {{ credits_type() }})
            as adjustment_credits,
        cast(
            used_credits + adjustment_credits as {{ credits_type() }}
        ) as billed_credits,
        cast(warehouse_compute_credits as {{ credits_type() }})
            as warehouse_compute_credits,
        is_estimated

    from days

)

select * from final
