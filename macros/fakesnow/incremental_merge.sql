{#
    fakesnow shim: incremental models merge by delete+insert.

    fakesnow rewrites MERGE into several DuckDB statements, and that rewrite
    reads the unqualified column names of dbt's `insert (cols) values (cols)`
    as ambiguous between source and target (Snowflake reads them from the
    source). On fakesnow alone, an incremental model with a unique key replaces
    its matching rows by delete+insert, dbt's other strategy, which leaves the
    same rows for a source with unique keys. The model's own SQL, including its
    `is_incremental()` branch, runs exactly as on Snowflake. Every other target
    gets dbt-snowflake's own MERGE, unchanged.
#}
{% macro snowflake__get_merge_sql(
    target, source, unique_key, dest_columns, incremental_predicates=none
) -%}
    {%- if snowledger_on_fakesnow() and unique_key -%}
        {{ return(dbt.snowflake__get_delete_insert_merge_sql(
            target, source, unique_key, dest_columns, incremental_predicates
        )) }}
    {%- endif -%}
    {{ return(dbt.snowflake__get_merge_sql(
        target, source, unique_key, dest_columns, incremental_predicates
    )) }}
{%- endmacro %}
