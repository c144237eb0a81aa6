{#
    Capacity bought and never used, one row per capacity contract that has
    ended within the ledger: what expired unused, booked in the month of
    the contract's last day, for chargeback_monthly to share out by the
    policy for `unused_capacity`.
#}

with

contract_items as (

    select * from {{ ref('stg_organization_usage__contract_items') }}

),

balances as (

    select * from {{ ref('stg_organization_usage__remaining_balance_daily') }}

),

seeded_contracts as (

    select * from {{ ref('capacity_contracts') }}

),

spend as (

    select * from {{ ref('daily_spend') }}

),

rates as (

    select * from {{ ref('daily_rates') }}

),

ledger_end as (

    select max(usage_date) as last_usage_date from spend

),

organization_contracts as (

    {# CONTRACT_ITEMS' END_DATE is the contract's last day. #}
    select
        contract_number,
        min(start_date) as start_date,
        max(end_date) as last_date,
        min(currency) as currency

    from contract_items

    where lower(contract_item) in ('capacity', 'additional capacity')

    group by 1

),

organization_unused as (

    {# Snowflake's own balance on the last day is what expired. #}
    select
        organization_contracts.contract_number,
        organization_contracts.start_date,
        organization_contracts.last_date,
        organization_contracts.currency,
        balances.capacity_balance as unused_amount

    from organization_contracts

    inner join balances
        on
            organization_contracts.contract_number = balances.contract_number
            and organization_contracts.last_date = balances.balance_date

),

unbalanced_accounts as (

    {# Accounts whose balance ORGANIZATION_USAGE does not show draw from
       the seed's contracts (daily_spend). #}
    select account_name

    from rates

    group by 1

    having max(case when has_contract_balance then 1 else 0 end) = 0

),

seeded_drawn as (

    select
        seeded_contracts.contract_number,
        coalesce(sum(spend.cost), 0) as drawn_amount

    from seeded_contracts

    left join spend
        on
            seeded_contracts.start_date <= spend.usage_date
            and seeded_contracts.end_date > spend.usage_date
            and spend.cost_type = 'RESERVED'
            and spend.account_name in (
                select unbalanced_accounts.account_name
                from unbalanced_accounts
            )

    group by 1

),

seeded_unused as (

    select
        seeded_contracts.contract_number,
        seeded_contracts.start_date,
        {{ dbt.dateadd('day', -1, 'seeded_contracts.end_date') }}
            as last_date,
        seeded_contracts.currency,
        seeded_contracts.capacity_amount - seeded_drawn.drawn_amount
            as unused_amount

    from seeded_contracts

    inner join seeded_drawn
        on seeded_contracts.contract_number = seeded_drawn.contract_number

),

unused as (

    select * from organization_unused

    union all

    select * from seeded_unused

),

final as (

    {# Only a contract that has ended has expired capacity; one still
       running may yet use it. #}
    select
        cast(unused.contract_number as {{ dbt.type_string() }})
            as contract_number,
        cast(unused.start_date as date) as start_date,
        cast(unused.last_date as date) as last_date,
        cast({{ dbt.date_trunc('month', 'unused.last_date') }} as date)
            as month_start,
        cast(unused.unused_amount as {{ money_type() }}) as unused_amount,
        cast(unused.currency as {{ dbt.type_string() }}) as currency

    from unused

    cross join ledger_end

    where
        unused.unused_amount > 0
        and unused.last_date <= ledger_end.last_usage_date

)

select * from final
