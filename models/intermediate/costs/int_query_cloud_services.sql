{#
    One row per account and query with cloud-services credits: the credits
    the query used (before the daily adjustment) and its share of what was
    billed for them, on the UTC day the query started.

    The day's billed warehouse cloud services (used + the day's adjustment,
    int_cloud_services_daily) are shared in proportion to what was used:
    queries get used x billed / used between them, in whole nano-credits by
    largest remainder, and the rest, work not tied to a query, is the
    day's non-query line downstream. Incremental by whole UTC days.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_incremental_window(
        'usage_date', also_from=[ref('stg_account_usage__query_history')]
    ) }}",
) }}

{%- set window_start = incremental_window_start(
    'usage_date', also_from=[ref('stg_account_usage__query_history')]
) %}
{%- set day_key = ['account_name', 'usage_date'] %}

with

queries as (

    select * from {{ ref('stg_account_usage__query_history') }}

    {% if window_start is not none -%}
    where started_at >= {{ window_start }}
    {%- endif %}

),

cloud_services_days as (

    select * from {{ ref('int_cloud_services_daily') }}

),

used as (

    select
        account_name,
        region,
        query_id,
        cast(started_at as date) as usage_date,
        cloud_services_credits,
        cast(
            cloud_services_credits * 1000000000 as decimal(38, 0)
        ) as used_nano

    from queries

    where cloud_services_credits > 0

),

day_totals as (

    select
        account_name,
        usage_date,
        sum(used_nano) as query_used_nano

    from used

    group by 1, 2

),

{# What the day's queries are billed between them: billed x their use / the
   day's use. If they used more than the daily view lists (another
   producer's rounding), they get it all. Only the split between queries
   needs to be exact; the pool itself is rounded to the nano-credit. #}
query_pools as (

    select
        day_totals.account_name,
        day_totals.usage_date,
        case
            when coalesce(cloud_services_days.used_credits, 0) <= 0
                then cast(0 as {{ credits_type() }})
            when
                day_totals.query_used_nano * 0.000000001
                >= cloud_services_days.used_credits
                then cloud_services_days.billed_credits
            else cast(
                cloud_services_days.billed_credits
                * day_totals.query_used_nano * 0.000000001
                / cloud_services_days.used_credits
                as {{ credits_type() }}
            )
        end as query_billed_credits

    from day_totals

    left join cloud_services_days
        on
            day_totals.account_name = cloud_services_days.account_name
            and day_totals.usage_date = cloud_services_days.usage_date

),

weighted as (

    select
        used.*,
        {{ allocation_base(
            'query_pools.query_billed_credits',
            'used.used_nano',
            ['used.account_name', 'used.usage_date'],
        ) }}

    from used

    inner join query_pools
        on
            used.account_name = query_pools.account_name
            and used.usage_date = query_pools.usage_date

),

final as (

    select
        account_name,
        region,
        query_id,
        usage_date,
        cloud_services_credits,
        {{ allocation_credits(day_key, 'query_id') }}
            as billed_cloud_services_credits,
        {{ batch_window_start(
            'usage_date', also_from=[ref('stg_account_usage__query_history')]
        ) }} as _batch_window_start

    from weighted

)

select * from final
