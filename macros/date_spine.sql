{#
    Every day from `first_date` to `last_date`, both included, for each row of
    `ranges` (a CTE or relation), as its `keys` columns and `spine_date`.

    The day offsets come from a cross join of digit rows, which both engines
    run: DuckDB has no GENERATOR, Snowflake has no generate_series, and
    Snowflake stops a recursive CTE after 100 iterations by default.
    `digits` offsets cover 10^digits days; the default 5 covers 273 years, so
    that no plausible range is cut short.
#}
{% macro date_spine(ranges, keys, first_date, last_date, digits=5) %}
    {%- set digit_rows -%}
        (
            {%- for digit in range(10) %}
            select {{ digit }} as digit
            {%- if not loop.last %}
            union all
            {%- endif -%}
            {%- endfor %}
        )
    {%- endset -%}

    select
        {%- for key in keys %}
        spine_ranges.{{ key }},
        {%- endfor %}
        cast({{ dbt.dateadd(
            'day', 'day_offsets.day_offset', 'spine_ranges.' ~ first_date
        ) }} as date) as spine_date

    from {{ ranges }} as spine_ranges

    inner join (

        select
            {%- for place in range(digits) %}
            digits_{{ place }}.digit * {{ 10 ** place }}
            {%- if not loop.last %} +{% endif -%}
            {%- endfor %} as day_offset

        from {{ digit_rows }} as digits_0
        {%- for place in range(1, digits) %}
        cross join {{ digit_rows }} as digits_{{ place }}
        {%- endfor %}

    ) as day_offsets
        on day_offsets.day_offset <= {{ dbt.datediff(
            'spine_ranges.' ~ first_date, 'spine_ranges.' ~ last_date, 'day'
        ) }}
{% endmacro %}
