{#
    A contract year has one pricing mode, ends after it starts, and its
    discounts are fractions in [0, 1). Returns every tier that breaks this.
#}

with

tiers as (

    select * from {{ ref('pricing_tiers') }}

),

modes as (

    select
        contract_start_date,
        count(distinct pricing_mode) as mode_count

    from tiers

    group by 1

)

select
    tiers.contract_start_date,
    tiers.contract_end_date,
    tiers.pricing_mode,
    tiers.threshold_credits,
    tiers.discount

from tiers

inner join modes
    on tiers.contract_start_date = modes.contract_start_date

where
    modes.mode_count > 1
    or tiers.contract_end_date <= tiers.contract_start_date
    or tiers.discount < 0
    or tiers.discount >= 1
    or tiers.threshold_credits < 0
