{#
    Warns about usage inside a contract year of pricing_tiers that is billed
    in another currency than the contract's: pricing_adjustments_monthly
    gives it no tier discount. Correct the seed's currency if this fires.
#}
{{ config(severity='warn') }}

with

tiers as (

    select * from {{ ref('pricing_tiers') }}

),

spend as (

    select * from {{ ref('daily_spend') }}

),

contracts as (

    select distinct
        contract_start_date,
        contract_end_date,
        currency

    from tiers

),

other_currencies as (

    select
        contracts.contract_start_date,
        contracts.currency as contract_currency,
        spend.currency as billing_currency,
        count(*) as line_count,
        sum(spend.cost) as cost

    from contracts

    inner join spend
        on
            contracts.contract_start_date <= spend.usage_date
            and contracts.contract_end_date > spend.usage_date

    where spend.currency != contracts.currency

    group by 1, 2, 3

)

select * from other_currencies
