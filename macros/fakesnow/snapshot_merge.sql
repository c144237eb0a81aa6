{#
    fakesnow shim: the snapshot MERGE, in a form fakesnow can execute.

    dbt-snowflake sends `begin; merge ...; commit;`, and its insert branch
    names the source columns unqualified: `insert (cols) values (cols)`.
    fakesnow rewrites MERGE into several DuckDB statements and fails on both:
    inside an explicit transaction it writes to two DuckDB databases at once,
    which DuckDB refuses, and the unqualified values become ambiguous between
    source and target. On fakesnow alone, the same MERGE runs without the
    transaction, with the values qualified by DBT_INTERNAL_SOURCE (which
    Snowflake reads identically). Every other target gets dbt-snowflake's own
    SQL, unchanged.
#}
{% macro snowflake__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- if not snowledger_on_fakesnow() -%}
        {{ return(dbt.snowflake__snapshot_merge_sql(
            target, source, insert_cols
        )) }}
    {%- endif -%}
    {%- set columns = config.get('snapshot_table_column_names')
        or get_snapshot_table_column_names() -%}
    {%- set values = [] -%}
    {%- for column in insert_cols -%}
        {%- do values.append('DBT_INTERNAL_SOURCE.' ~ column) -%}
    {%- endfor -%}

    merge into {{ target.render() }} as DBT_INTERNAL_DEST
    using {{ source }} as DBT_INTERNAL_SOURCE
    on DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }}
        = DBT_INTERNAL_DEST.{{ columns.dbt_scd_id }}

    when matched
        and DBT_INTERNAL_DEST.{{ columns.dbt_valid_to }} is null
        and DBT_INTERNAL_SOURCE.dbt_change_type in ('update', 'delete')
        then update
            set {{ columns.dbt_valid_to }}
                = DBT_INTERNAL_SOURCE.{{ columns.dbt_valid_to }}

    when not matched
        and DBT_INTERNAL_SOURCE.dbt_change_type = 'insert'
        then insert ({{ insert_cols | join(', ') }})
            values ({{ values | join(', ') }})
{%- endmacro %}
