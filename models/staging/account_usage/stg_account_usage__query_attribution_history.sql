{#
    Snowflake's own attribution of warehouse compute credits to queries, one
    row per account and statement. Rows repeated by ACCOUNT_USAGE are
    collapsed to the fullest reading.

    Incremental like stg_account_usage__query_history (it has a row per
    query): each run re-reads the statements that ended in the trailing
    window, where QUERY_ATTRIBUTION_HISTORY's rows arrive, up to 8 h late.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_incremental_window('_window_at') }}",
) }}

{%- set window_start = incremental_window_start('_window_at') %}

with

source as (

    {{ union_account_usage(
        'query_attribution_history',
        required=['query_id', 'credits_attributed_compute']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(query_id as {{ dbt.type_string() }}) as query_id,
        cast(parent_query_id as {{ dbt.type_string() }}) as parent_query_id,
        cast(root_query_id as {{ dbt.type_string() }}) as root_query_id,
        cast(warehouse_id as {{ dbt.type_bigint() }}) as warehouse_id,
        cast(warehouse_name as {{ dbt.type_string() }}) as warehouse_name,
        cast(query_hash as {{ dbt.type_string() }}) as query_hash,
        cast(query_parameterized_hash as {{ dbt.type_string() }})
            as query_parameterized_hash,
        cast(query_tag as {{ dbt.type_string() }}) as query_tag,
        cast(user_name as {{ dbt.type_string() }}) as user_name,
        {{ to_utc('start_time') }} as started_at,
        {{ to_utc('end_time') }} as ended_at,
        {# FLOAT in Snowflake; fixed to nine decimals like every credit. #}
        cast(
            credits_attributed_compute as {{ credits_type() }}
        ) as attributed_compute_credits,
        cast(
            credits_used_query_acceleration as {{ credits_type() }}
        ) as query_acceleration_credits

    from source

    {% if window_start is not none -%}
    where coalesce(
        {{ to_utc('end_time') }}, {{ to_utc('start_time') }}
    ) >= {{ window_start }}
    {%- endif %}

),

deduplicated as (

    {# A repeated row keeps the reading with the latest end and the most
       credits, which is the most complete one. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, query_id
        order by
            ended_at desc nulls last,
            attributed_compute_credits desc nulls last
    ) = 1

),

windowed as (

    select
        *,
        coalesce(ended_at, started_at) as _window_at,
        {{ batch_window_start('_window_at') }} as _batch_window_start

    from deduplicated

)

select * from windowed
