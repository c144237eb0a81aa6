{# The target type for a Snowflake type named in the source contract. #}
{% macro snowledger_type(snowflake_type) %}
    {{ return(
        adapter.dispatch('snowledger_type', 'snowledger')(snowflake_type)
    ) }}
{% endmacro %}

{% macro default__snowledger_type(snowflake_type) %}
    {{ return(snowflake_type) }}
{% endmacro %}

{% macro duckdb__snowledger_type(snowflake_type) %}
    {%- set upper = snowflake_type | upper -%}
    {%- if upper == 'NUMBER(38,0)' -%}{{ return('bigint') }}
    {%- elif upper.startswith('NUMBER') -%}
        {{ return(upper | replace('NUMBER', 'decimal')) }}
    {%- elif upper == 'FLOAT' -%}{{ return('double') }}
    {%- elif upper.startswith('TIMESTAMP') -%}
        {{ return('timestamp with time zone') }}
    {%- elif upper in ('VARIANT', 'OBJECT', 'ARRAY') -%}{{ return('json') }}
    {%- else -%}{{ return(upper | lower) }}
    {%- endif -%}
{% endmacro %}


{#
    A TIMESTAMP_LTZ (or any timestamp) as a UTC wall-clock timestamp without a
    time zone. Snowflake bills UTC days; this keeps every `_at` column in UTC
    whatever the session time zone.
#}
{% macro to_utc(column) %}
    {{ return(adapter.dispatch('to_utc', 'snowledger')(column)) }}
{% endmacro %}

{% macro default__to_utc(column) -%}
    cast(convert_timezone('UTC', {{ column }}) as timestamp_ntz)
{%- endmacro %}

{% macro duckdb__to_utc(column) -%}
    make_timestamp(epoch_us(cast({{ column }} as timestamp with time zone)))
{%- endmacro %}


{# Credits keep Snowflake's nine decimal places end to end. #}
{% macro credits_type() %}{{ return('decimal(38, 9)') }}{% endmacro %}

{# Money keeps more scale than cents until it is reported, so that sums of
   allocated shares round once, at the end. #}
{% macro money_type() %}{{ return('decimal(38, 9)') }}{% endmacro %}
