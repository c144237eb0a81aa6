{#
    The price of a unit of usage, one row per UTC day, account and base usage
    type, so that every cost mart prices usage the same way. Overage rates are
    columns, not rows: `effective_rate` is the one that applies that day.

    RATE_SHEET_DAILY has no row on days without consumption, so a rate is
    carried forward (else back) over every day of the account's ledger. An
    account without a rate sheet is priced from the configured vars and
    flagged; a warn test in daily_rates.yml names the problem.
#}

with

rate_sheet as (

    select * from {{ ref('stg_organization_usage__rate_sheet_daily') }}

),

usage_in_currency as (

    select * from {{ ref('stg_organization_usage__usage_in_currency_daily') }}

),

remaining_balances as (

    select * from {{ ref('stg_organization_usage__remaining_balance_daily') }}

),

metering_daily as (

    select * from {{ ref('stg_account_usage__metering_daily_history') }}

),

warehouse_metering as (

    select * from {{ ref('stg_account_usage__warehouse_metering_history') }}

),

storage_usage as (

    select * from {{ ref('stg_account_usage__storage_usage') }}

),

configured_accounts as (

    {# Accounts of var snowledger_accounts: one without a rate sheet still
       needs prices. The typed empty row keeps the CTE valid with no
       accounts. #}
    select
        cast(null as {{ dbt.type_string() }}) as account_name,
        cast(null as {{ dbt.type_string() }}) as region

    from (select 1 as no_account) as no_accounts

    where 1 = 0
    {%- for account in var('snowledger_accounts') %}
        {%- set name = account.name | replace("'", "''") %}
        {%- set region = (account.get('region') or '') | replace("'", "''") %}

        union all

        select
            '{{ name }}' as account_name,
            nullif('{{ region }}', '') as region
    {%- endfor %}

),

configured_usage_types as (

    {# What a configured-price account is priced for even when its metering
       shows nothing else: the warehouse, cloud services and their daily
       adjustment, storage and transfer. `price_unit` picks the var. #}
    select
        'compute' as usage_type,
        'WAREHOUSE_METERING' as service_type,
        false as is_adjustment,
        'credit' as price_unit

    union all

    select
        'cloud services' as usage_type,
        'CLOUD_SERVICES' as service_type,
        false as is_adjustment,
        'credit' as price_unit

    union all

    select
        'adj for incl cloud services' as usage_type,
        'CLOUD_SERVICES' as service_type,
        true as is_adjustment,
        'credit' as price_unit

    union all

    select
        'storage' as usage_type,
        'STORAGE' as service_type,
        false as is_adjustment,
        'storage' as price_unit

    union all

    select
        'hybrid table storage' as usage_type,
        'HYBRID_TABLE_STORAGE' as service_type,
        false as is_adjustment,
        'storage' as price_unit

    union all

    select
        'data transfer' as usage_type,
        'DATA_TRANSFER' as service_type,
        false as is_adjustment,
        'transfer' as price_unit

),

usage_days as (

    {# An account's ledger runs from its first rate or usage day to its last
       one; every source that can put a cost on a day counts. #}
    select
        account_name,
        rate_date as usage_date

    from rate_sheet

    union all

    select
        account_name,
        usage_date

    from metering_daily

    union all

    select
        account_name,
        cast(usage_hour as date) as usage_date

    from warehouse_metering

    union all

    select
        account_name,
        usage_date

    from storage_usage

),

account_ranges as (

    select
        account_name,
        min(usage_date) as first_date,
        max(usage_date) as last_date

    from usage_days

    where account_name is not null and usage_date is not null

    group by 1

),

account_days as (

    {{ date_spine(
        'account_ranges', ['account_name'], 'first_date', 'last_date'
    ) }}

),

rate_sheet_deduplicated as (

    {# A contract change can list a usage type twice on one day: keep
       consumption billing, then the higher rate, so that a cost is never
       understated. #}
    select * from rate_sheet

    where account_name is not null and usage_type is not null

    qualify row_number() over (
        partition by rate_date, account_name, usage_type
        order by
            case when billing_type = 'consumption' then 0 else 1 end asc,
            effective_rate desc nulls last,
            contract_number desc nulls last,
            service_type asc
    ) = 1

),

rate_rows as (

    {# Overage rates are listed as 'overage-<usage type>'; they become a
       column of the base usage type. #}
    select
        rate_date,
        account_name,
        region,
        contract_number,
        service_type,
        is_adjustment,
        currency,
        effective_rate,
        coalesce(usage_type like 'overage-%', false) as is_on_demand,
        case
            when usage_type like 'overage-%' then substr(usage_type, 9)
            else usage_type
        end as usage_type

    from rate_sheet_deduplicated

),

capacity_rates as (

    select * from rate_rows

    where not is_on_demand

),

on_demand_rates as (

    select * from rate_rows

    where is_on_demand

),

sheet_usage_types as (

    select distinct
        account_name,
        usage_type

    from rate_rows

),

sheet_days as (

    {# Every day of the ledger for every usage type the account's sheet
       lists, marking the days that have a rate of their own. #}
    select
        account_days.spine_date as rate_date,
        account_days.account_name,
        sheet_usage_types.usage_type,
        case
            when capacity_rates.rate_date is not null
                then account_days.spine_date
        end as own_capacity_date,
        case
            when on_demand_rates.rate_date is not null
                then account_days.spine_date
        end as own_on_demand_date

    from account_days

    inner join sheet_usage_types
        on account_days.account_name = sheet_usage_types.account_name

    left join capacity_rates
        on
            account_days.account_name = capacity_rates.account_name
            and sheet_usage_types.usage_type = capacity_rates.usage_type
            and account_days.spine_date = capacity_rates.rate_date

    left join on_demand_rates
        on
            account_days.account_name = on_demand_rates.account_name
            and sheet_usage_types.usage_type = on_demand_rates.usage_type
            and account_days.spine_date = on_demand_rates.rate_date

),

sheet_rate_dates as (

    {# Gap filling: the day whose rate applies is the latest earlier day with
       a rate, else the next later one. Dates only grow, so a running max or
       min finds them without IGNORE NULLS, which the engines spell
       differently. #}
    select
        rate_date,
        account_name,
        usage_type,
        coalesce(
            max(own_capacity_date) over (
                partition by account_name, usage_type
                order by rate_date
                rows between unbounded preceding and current row
            ),
            min(own_capacity_date) over (
                partition by account_name, usage_type
                order by rate_date
                rows between current row and unbounded following
            )
        ) as capacity_rate_date,
        coalesce(
            max(own_on_demand_date) over (
                partition by account_name, usage_type
                order by rate_date
                rows between unbounded preceding and current row
            ),
            min(own_on_demand_date) over (
                partition by account_name, usage_type
                order by rate_date
                rows between current row and unbounded following
            )
        ) as on_demand_rate_date

    from sheet_days

),

sheet_rates as (

    {# A usage type the sheet lists only one way (no overage rate yet, or
       only an overage rate) uses that rate both ways. `_..._from` is the day
       each rate was read from, for rate_source. #}
    select
        sheet_rate_dates.rate_date,
        sheet_rate_dates.account_name,
        coalesce(capacity_rates.region, on_demand_rates.region) as region,
        sheet_rate_dates.usage_type,
        coalesce(
            capacity_rates.service_type, on_demand_rates.service_type
        ) as service_type,
        coalesce(
            capacity_rates.is_adjustment, on_demand_rates.is_adjustment
        ) as is_adjustment,
        coalesce(capacity_rates.currency, on_demand_rates.currency)
            as currency,
        coalesce(
            capacity_rates.contract_number, on_demand_rates.contract_number
        ) as contract_number,
        coalesce(
            capacity_rates.effective_rate, on_demand_rates.effective_rate
        ) as capacity_rate,
        coalesce(
            on_demand_rates.effective_rate, capacity_rates.effective_rate
        ) as on_demand_rate,
        coalesce(
            sheet_rate_dates.capacity_rate_date,
            sheet_rate_dates.on_demand_rate_date
        ) as _capacity_rate_from,
        coalesce(
            sheet_rate_dates.on_demand_rate_date,
            sheet_rate_dates.capacity_rate_date
        ) as _on_demand_rate_from,
        false as is_configured_price

    from sheet_rate_dates

    left join capacity_rates
        on
            sheet_rate_dates.account_name = capacity_rates.account_name
            and sheet_rate_dates.usage_type = capacity_rates.usage_type
            and sheet_rate_dates.capacity_rate_date = capacity_rates.rate_date

    left join on_demand_rates
        on
            sheet_rate_dates.account_name = on_demand_rates.account_name
            and sheet_rate_dates.usage_type = on_demand_rates.usage_type
            and sheet_rate_dates.on_demand_rate_date
            = on_demand_rates.rate_date

),

unpriced_accounts as (

    select configured_accounts.*

    from configured_accounts

    left join sheet_usage_types
        on configured_accounts.account_name = sheet_usage_types.account_name

    where sheet_usage_types.account_name is null

),

metered_services as (

    {# The services an account meters, in the billing vocabulary of
       RATE_SHEET_DAILY. #}
    select distinct
        account_name,
        case service_type
            when 'AUTO_CLUSTERING' then 'AUTOMATIC_CLUSTERING'
            when 'PIPE' then 'SNOWPIPE'
            else service_type
        end as service_type

    from metering_daily

),

metered_usage_types as (

    {# Serverless services an unpriced account meters; the warehouse is
       already among the configured usage types. #}
    select
        account_name,
        service_type,
        lower(replace(service_type, '_', ' ')) as usage_type

    from metered_services

    where service_type != 'WAREHOUSE_METERING'

),

unpriced_usage_types as (

    select
        unpriced_accounts.account_name,
        configured_usage_types.usage_type,
        configured_usage_types.service_type,
        configured_usage_types.is_adjustment,
        configured_usage_types.price_unit

    from unpriced_accounts

    cross join configured_usage_types

    union all

    {# A metered service already listed above is not listed twice. #}
    select
        unpriced_accounts.account_name,
        metered_usage_types.usage_type,
        metered_usage_types.service_type,
        false as is_adjustment,
        'credit' as price_unit

    from unpriced_accounts

    inner join metered_usage_types
        on unpriced_accounts.account_name = metered_usage_types.account_name

    left join configured_usage_types
        on metered_usage_types.usage_type = configured_usage_types.usage_type

    where configured_usage_types.usage_type is null

),

configured_rates as (

    select
        account_days.spine_date as rate_date,
        account_days.account_name,
        unpriced_accounts.region,
        unpriced_usage_types.usage_type,
        unpriced_usage_types.service_type,
        unpriced_usage_types.is_adjustment,
        '{{ var("snowledger_currency") }}' as currency,
        cast(null as {{ dbt.type_string() }}) as contract_number,
        case unpriced_usage_types.price_unit
            when 'storage' then {{ var('snowledger_price_per_tb_storage') }}
            when 'transfer' then {{ var('snowledger_price_per_tb_transfer') }}
            else {{ var('snowledger_price_per_credit') }}
        end as capacity_rate,
        case unpriced_usage_types.price_unit
            when 'storage' then {{ var('snowledger_price_per_tb_storage') }}
            when 'transfer' then {{ var('snowledger_price_per_tb_transfer') }}
            else {{ var('snowledger_price_per_credit') }}
        end as on_demand_rate,
        cast(null as date) as _capacity_rate_from,
        cast(null as date) as _on_demand_rate_from,
        true as is_configured_price

    from account_days

    inner join unpriced_accounts
        on account_days.account_name = unpriced_accounts.account_name

    inner join unpriced_usage_types
        on account_days.account_name = unpriced_usage_types.account_name

),

priced_days as (

    select * from sheet_rates

    union all

    select * from configured_rates

),

contract_days as (

    {# The account's contract on the day, from its rate sheet rows. #}
    select
        account_name,
        rate_date,
        max(contract_number) as contract_number

    from priced_days

    where contract_number is not null

    group by 1, 2

),

balance_totals as (

    {# The organisation is in overage once every balance that pays for
       usage is used up and on-demand consumption makes the sum negative. #}
    select
        contract_number,
        balance_date,
        sum(
            coalesce(free_usage_balance, 0)
            + coalesce(capacity_balance, 0)
            + coalesce(rollover_balance, 0)
            + coalesce(on_demand_consumption_balance, 0)
        ) as total_balance

    from remaining_balances

    where contract_number is not null and balance_date is not null

    group by 1, 2

),

balance_contracts as (

    select distinct contract_number

    from balance_totals

),

account_balances as (

    {# A day without a balance row takes the latest earlier one; a day
       before the first one is not in overage. #}
    select
        contract_days.account_name,
        contract_days.rate_date,
        balance_totals.total_balance,
        balance_contracts.contract_number is not null as has_balance_rows

    from contract_days

    left join balance_contracts
        on contract_days.contract_number = balance_contracts.contract_number

    left join balance_totals
        on
            contract_days.contract_number = balance_totals.contract_number
            and contract_days.rate_date >= balance_totals.balance_date

    qualify row_number() over (
        partition by contract_days.account_name, contract_days.rate_date
        order by balance_totals.balance_date desc nulls last
    ) = 1

),

usage_shares as (

    {# Where the invoice exists it says how much of the day was billed at
       on-demand prices: the day the balance runs out is partly capacity. #}
    select
        account_name,
        usage_date,
        case
            when usage_type like 'overage-%' then substr(usage_type, 9)
            else usage_type
        end as usage_type,
        sum(abs(usage_quantity)) as total_usage,
        sum(
            case
                when
                    usage_type like 'overage-%'
                    or balance_source = 'overage'
                    then abs(usage_quantity)
                else 0
            end
        ) as on_demand_usage

    from usage_in_currency

    group by 1, 2, 3

),

overage_days as (

    select
        priced_days.*,
        coalesce(account_balances.total_balance < 0, false)
            as is_in_overage,
        coalesce(account_balances.has_balance_rows, false)
            as _has_balance_rows,
        usage_shares.total_usage as _total_usage,
        usage_shares.on_demand_usage as _on_demand_usage

    from priced_days

    left join account_balances
        on
            priced_days.account_name = account_balances.account_name
            and priced_days.rate_date = account_balances.rate_date

    left join usage_shares
        on
            priced_days.account_name = usage_shares.account_name
            and priced_days.rate_date = usage_shares.usage_date
            and priced_days.usage_type = usage_shares.usage_type

),

daily_rates as (

    select
        cast(rate_date as date) as rate_date,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(usage_type as {{ dbt.type_string() }}) as usage_type,
        cast(service_type as {{ dbt.type_string() }}) as service_type,
        cast(is_adjustment as boolean) as is_adjustment,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(capacity_rate as {{ money_type() }}) as capacity_rate,
        cast(on_demand_rate as {{ money_type() }}) as on_demand_rate,
        cast(is_in_overage as boolean) as is_in_overage,
        cast(
            case when is_in_overage then on_demand_rate else capacity_rate end
            as {{ money_type() }}
        ) as effective_rate,
        {# Without an invoice row, the balance decides; an account with no
           balance at all has no capacity to draw from. #}
        cast(
            case
                when _total_usage > 0 then _on_demand_usage / _total_usage
                when not _has_balance_rows then 1
                when is_in_overage then 1
                else 0
            end
            as decimal(38, 9)
        ) as on_demand_share,
        cast(
            case
                when is_configured_price then 'configured price'
                when
                    (
                        case
                            when is_in_overage then _on_demand_rate_from
                            else _capacity_rate_from
                        end
                    ) = rate_date
                    then 'rate sheet'
                else 'rate sheet, gap filled'
            end
            as {{ dbt.type_string() }}
        ) as rate_source,
        cast(is_configured_price as boolean) as is_configured_price,
        {# Without a balance from ORGANIZATION_USAGE, a capacity contract of
           the seed capacity_contracts may say what was drawn (daily_spend). #}
        cast(_has_balance_rows as boolean) as has_contract_balance

    from overage_days

)

select * from daily_rates
