{#
    fakesnow shims: scratch relations are created as ordinary ones.

    dbt-snowflake builds its scratch relations (snapshot staging tables,
    unit-test fixtures, incremental batches) as `create or replace temporary
    table|view db.schema.name`. fakesnow cannot run that: DuckDB keeps
    temporary objects in a catalogue of their own and refuses a qualified name,
    and a temporary table it did create would not show in `describe table`, so
    dbt would read no columns from it. On fakesnow alone, the table becomes a
    transient table and the view an ordinary view; dbt drops both itself or
    replaces them on the next run. Every other target gets dbt-snowflake's own
    SQL, unchanged.
#}
{% macro snowflake__create_table_temporary_sql(relation, compiled_code) -%}
    {%- if snowledger_on_fakesnow() -%}
        {{ return(dbt.snowflake__create_table_transient_sql(
            relation, compiled_code
        )) }}
    {%- endif -%}
    {{ return(dbt.snowflake__create_table_temporary_sql(
        relation, compiled_code
    )) }}
{%- endmacro %}


{% macro snowflake__create_view_as_with_temp_flag(
    relation, sql, is_temporary=false
) -%}
    {{ return(dbt.snowflake__create_view_as_with_temp_flag(
        relation, sql, is_temporary and not snowledger_on_fakesnow()
    )) }}
{%- endmacro %}
