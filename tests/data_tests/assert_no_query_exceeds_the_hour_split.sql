{#
    Warns about queries that executed longer than var
    snowledger_max_query_hours: only that many of their clock hours share in
    the warehouse's compute, and the rest of their time stays in the
    warehouse's idle line. Raise the var (Snowflake's default statement
    timeout is 48 hours) if this fires.
#}
{{ config(severity='warn') }}

with

queries as (

    select * from {{ ref('stg_account_usage__query_history') }}

),

too_long as (

    select
        account_name,
        query_id,
        warehouse_id,
        started_at,
        ended_at

    from queries

    where
        warehouse_id is not null
        and {{ dbt.datediff('started_at', 'ended_at', 'hour') }}
        >= {{ var('snowledger_max_query_hours') }} - 1

)

select * from too_long
