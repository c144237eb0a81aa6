{#
    The trailing window an incremental run recomputes.

    ACCOUNT_USAGE is late (up to 8 h for QUERY_ATTRIBUTION_HISTORY, 6 h for the
    cloud-services column of WAREHOUSE_METERING_HISTORY) and repeats rows, so an
    incremental run never trusts the last days it stored: it deletes and
    rebuilds every row from the start of the UTC day `snowledger_lookback_days`
    before the newest stored `column`. Whole days keep whole warehouse-hours and
    whole cloud-services days together, so that an incremental run gives what a
    full refresh gives.

    Returns a SQL timestamp literal, or none outside an incremental run.
    `also_from` lists upstream incremental models whose latest batch may
    have started earlier; the window then reaches back to
    it, so rows that depend on what that model has just rebuilt are rebuilt
    too.
#}
{% macro incremental_window_start(column, also_from=none) %}
    {# Unit tests render models without a relation: a full build. #}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}

    {%- set lookback = var('snowledger_lookback_days') | int -%}
    {%- set query -%}
        select
            {{ dbt.dateadd(
                'day',
                -lookback,
                dbt.date_trunc('day', 'max(' ~ column ~ ')'),
            ) }}
        from {{ this }}
    {%- endset -%}
    {%- set own_start = run_query(query).columns[0].values()[0] -%}

    {%- set starts = [] -%}
    {%- if own_start is not none -%}
        {%- do starts.append(own_start) -%}
    {%- endif -%}
    {%- set upstreams = also_from if also_from is not none else [] -%}
    {%- for upstream in upstreams -%}
        {%- set upstream_query -%}
            select max(_batch_window_start) from {{ upstream }}
        {%- endset -%}
        {%- set upstream_start =
            run_query(upstream_query).columns[0].values()[0] -%}
        {%- if upstream_start is not none -%}
            {%- do starts.append(upstream_start) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if starts | length == 0 -%}
        {{ return("cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")") }}
    {%- endif -%}
    {%- set start = starts | min -%}
    {{ return(
        "cast('" ~ start.strftime('%Y-%m-%d %H:%M:%S') ~ "' as "
        ~ dbt.type_timestamp() ~ ")"
    ) }}
{% endmacro %}


{#
    Pre-hook of the incremental ledger models: removes the rows the run is
    about to rebuild (`column` at or after the window start). Rows that vanish
    from the source inside the window (a duplicate collapsed, a late
    correction) vanish from the model too, as they would in a full refresh.
#}
{% macro delete_incremental_window(column, also_from=none) %}
    {%- set start = incremental_window_start(column, also_from) -%}
    {%- if start is not none -%}
        delete from {{ this }} where {{ column }} >= {{ start }}
    {%- endif -%}
{% endmacro %}


{#
    The column that records which window an incremental run rebuilt (all of
    history on a full refresh), so that models downstream can widen their own
    window to match.
#}
{% macro batch_window_start(column, also_from=none) %}
    {%- set start = incremental_window_start(column, also_from) -%}
    {{ start if start is not none else "cast('1900-01-01' as "
        ~ dbt.type_timestamp() ~ ")" }}
{%- endmacro %}
