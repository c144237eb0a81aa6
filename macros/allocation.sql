{#
    Exact sharing of an amount of credits among rows, in whole nano-credits
    (Snowflake's ninth decimal), by the largest-remainder method: each row
    gets the floor of its proportional share, and the nano-credits left over
    go one each to the rows with the largest remainders (ties by `tie_break`).
    The shares of a partition add up to the amount exactly, which is what
    lets the ledger assert conservation with equality rather than tolerance.

    Two macros, because the window functions need two steps:
    `allocation_base(amount, weight, partition_by)` gives the columns
    `_amount_nano`, `_base_nano` and `_remainder`;
    `allocation_credits(partition_by, tie_break)` then gives the share in
    credits, from a CTE that selected those columns.
#}
{% macro allocation_base(amount, weight, partition_by) -%}
    {%- set partition = partition_by | join(', ') -%}
    {%- set amount_nano = "cast(" ~ amount
        ~ " * 1000000000 as decimal(38, 0))" -%}
    {%- set total = "nullif(sum(" ~ weight ~ ") over (partition by "
        ~ partition ~ "), 0)" -%}
    {%- set product = amount_nano ~ " * " ~ weight -%}
    {{ amount_nano }} as _amount_nano,
    {# A partition whose weights are all zero shares nothing. #}
    coalesce(
        {{ snowledger_floor_div(product, total) }}, 0
    ) as _base_nano,
    coalesce({{ snowledger_mod(product, total) }}, 0) as _remainder
{%- endmacro %}

{% macro allocation_credits(partition_by, tie_break) -%}
    {%- set partition = partition_by | join(', ') -%}
    {{ nano_to_credits(
        "_base_nano + case when row_number() over (partition by "
        ~ partition ~ " order by _remainder desc, " ~ tie_break ~ ")"
        ~ " <= _amount_nano - sum(_base_nano) over (partition by "
        ~ partition ~ ") then 1 else 0 end"
    ) }}
{%- endmacro %}


{# Whole nano-credits as credits with nine decimals, exactly. #}
{% macro nano_to_credits(expression) -%}
    cast(
        cast({{ expression }} as decimal(38, 0)) * 0.000000001
        as {{ credits_type() }}
    )
{%- endmacro %}


{#
    floor(a / b) and a mod b for non-negative integers as large as 10^30,
    exactly: DuckDB divides decimals in floating point, so it gets 128-bit
    integers; Snowflake's NUMBER(38, 0) arithmetic is exact.
#}
{% macro snowledger_floor_div(a, b) %}
    {{ return(adapter.dispatch('snowledger_floor_div', 'snowledger')(a, b)) }}
{% endmacro %}

{# Operands are cast to NUMBER(38, 0) first so that no engine (nor the
   fakesnow emulator, which holds them as 64-bit integers) takes the
   floating-point path. #}
{% macro default__snowledger_floor_div(a, b) -%}
    cast(
        (
            cast({{ a }} as decimal(38, 0))
            - {{ default__snowledger_mod(a, b) }}
        ) / cast({{ b }} as decimal(38, 0))
        as decimal(38, 0)
    )
{%- endmacro %}

{# sqlfluff parses with the Snowflake grammar, which has no hugeint: under
   var snowledger_lint (set in .sqlfluff) it sees the portable SQL. #}
{% macro duckdb__snowledger_floor_div(a, b) -%}
    {%- if var('snowledger_lint', false) -%}
    {{ default__snowledger_floor_div(a, b) }}
    {%- else -%}
    cast(
        divide(cast({{ a }} as hugeint), cast({{ b }} as hugeint))
        as decimal(38, 0)
    )
    {%- endif -%}
{%- endmacro %}

{% macro snowledger_mod(a, b) %}
    {{ return(adapter.dispatch('snowledger_mod', 'snowledger')(a, b)) }}
{% endmacro %}

{% macro default__snowledger_mod(a, b) -%}
    mod(cast({{ a }} as decimal(38, 0)), cast({{ b }} as decimal(38, 0)))
{%- endmacro %}

{% macro duckdb__snowledger_mod(a, b) -%}
    {%- if var('snowledger_lint', false) -%}
    {{ default__snowledger_mod(a, b) }}
    {%- else -%}
    cast(
        cast({{ a }} as hugeint) % cast({{ b }} as hugeint)
        as decimal(38, 0)
    )
    {%- endif -%}
{%- endmacro %}


{#
    Whole units per credit in which allocation weights are counted: nano-
    credits, so that shares follow the weights to Snowflake's ninth decimal.
    fakesnow holds NUMBER(38, 0) as a 64-bit integer, which amount x weight
    overflows there: the smoke test counts weights in milli-credits. The
    shares still add up exactly; only their split is coarser.
#}
{% macro allocation_weight_scale() -%}
    {%- if snowledger_on_fakesnow() -%}
    1000
    {%- else -%}
    1000000000
    {%- endif -%}
{%- endmacro %}
