{#
    The price of one unit on a day, from a `daily_rates` row joined as
    `rates`: the capacity rate for the share of the day's usage drawn from
    capacity and the on-demand rate for the rest, so that a day on which the
    contract runs out is priced as Snowflake billed it. Where no rate row
    matched, the configured price `fallback_var` (a loud fallback: the
    `rate_source` of the row says so).
#}
{% macro blended_rate(rates, fallback_var='snowledger_price_per_credit') -%}
    coalesce(
        {{ rates }}.capacity_rate * (1 - {{ rates }}.on_demand_share)
        + {{ rates }}.on_demand_rate * {{ rates }}.on_demand_share,
        cast({{ var(fallback_var) }} as {{ money_type() }})
    )
{%- endmacro %}

{# Where a price came from, for the `rate_source` column of priced rows. #}
{% macro rate_source(rates) -%}
    coalesce({{ rates }}.rate_source, 'configured price')
{%- endmacro %}

{# The currency of a priced row. #}
{% macro rate_currency(rates) -%}
    coalesce({{ rates }}.currency, '{{ var("snowledger_currency") }}')
{%- endmacro %}

{#
    The configured price of one unit of a billing service, for usage no rate
    sheet prices: per TB-month for storage, per TB for data transfer, per
    credit for everything else.
#}
{% macro configured_price(service_column) -%}
    cast(
        case
            when {{ service_column }} in ('STORAGE', 'HYBRID_TABLE_STORAGE')
                then {{ var('snowledger_price_per_tb_storage') }}
            when {{ service_column }} = 'DATA_TRANSFER'
                then {{ var('snowledger_price_per_tb_transfer') }}
            else {{ var('snowledger_price_per_credit') }}
        end
        as {{ money_type() }}
    )
{%- endmacro %}
