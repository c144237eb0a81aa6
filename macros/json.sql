{#
    The text value of `key` in a JSON object held as text in `column`, or NULL
    when the text is not valid JSON, not an object, lacks the key, or holds
    something other than a string there. Query tags are free text written by
    people and tools; a malformed one reads as absent, never as an error.
#}
{% macro json_text(column, key) %}
    {{ return(adapter.dispatch('json_text', 'snowledger')(column, key)) }}
{% endmacro %}

{% macro default__json_text(column, key) -%}
    case
        when is_varchar(get(try_parse_json({{ column }}), '{{ key }}'))
            then cast(
                get(try_parse_json({{ column }}), '{{ key }}')
                as {{ dbt.type_string() }}
            )
    end
{%- endmacro %}

{# fakesnow has no IS_VARCHAR (nor any variant type test): under the smoke
   test a non-string value reads as its text. Production is unchanged. #}
{% macro snowflake__json_text(column, key) -%}
    {%- if snowledger_on_fakesnow() -%}
    cast(
        get(try_parse_json({{ column }}), '{{ key }}')
        as {{ dbt.type_string() }}
    )
    {%- else -%}
    {{ default__json_text(column, key) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__json_text(column, key) -%}
    case
        when
            json_valid({{ column }})
            and json_type({{ column }}, '$."{{ key }}"') = 'VARCHAR'
            then json_extract_string({{ column }}, '$."{{ key }}"')
    end
{%- endmacro %}


{#
    The JSON object of the comment dbt puts first in every query it runs
    (`/* {"app": "dbt", "node_id": ...} */`), as text, or NULL.
#}
{% macro dbt_query_comment(column) %}
    {{ return(adapter.dispatch('dbt_query_comment', 'snowledger')(column)) }}
{% endmacro %}

{% macro default__dbt_query_comment(column) -%}
    nullif(
        regexp_substr(
            {{ column }}, '^\\s*/\\*\\s*(\\{[^*]*\\})\\s*\\*/', 1, 1, 'e', 1
        ),
        ''
    )
{%- endmacro %}

{% macro duckdb__dbt_query_comment(column) -%}
    nullif(
        regexp_extract({{ column }}, '^\s*/\*\s*(\{[^*]*\})\s*\*/', 1),
        ''
    )
{%- endmacro %}
