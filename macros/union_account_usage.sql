{#
    Reads one ACCOUNT_USAGE view from every configured account and unions the
    copies, with `account_name` and `region` first on every row.

    Columns are read by name, in the order of the source contract
    (models/staging/account_usage/__sources.yml), so extra columns in a copy are
    ignored and column order never matters. A documented column that a copy
    lacks (older bundles, another producer) is read as a typed NULL; a column
    named in `required` that is missing stops the build with a message naming
    the account, the view and the column.
#}
{% macro union_account_usage(view, required=[]) %}
    {%- set contract = snowledger_source_contract('account_usage', view) -%}
    {%- set selects = [] -%}

    {%- for account in var('snowledger_accounts') -%}
        {%- set relation = snowledger_account_relation(account, view) -%}
        {%- set present = snowledger_relation_columns(relation) -%}

        {%- if execute and present | length == 0 -%}
            {%- if account.get('optional', false) -%}
                {{ log(
                    "Snowledger: account " ~ account.name ~ " is configured"
                    ~ " (optional) but " ~ relation ~ " does not exist; its "
                    ~ view ~ " rows are left out of this build.",
                    info=true
                ) }}
                {%- continue -%}
            {%- endif -%}
            {{ exceptions.raise_compiler_error(
                "Account " ~ account.name ~ ": " ~ relation ~ " does not exist"
                ~ " or is not readable. Load that account's ACCOUNT_USAGE copy"
                ~ " there, fix database/schema in var snowledger_accounts, or"
                ~ " mark the account `optional: true`."
            ) }}
        {%- endif -%}

        {%- set columns = [] -%}
        {%- for name, data_type in contract -%}
            {%- if not execute or name in present -%}
                {%- do columns.append(name) -%}
            {%- elif name in required -%}
                {{ exceptions.raise_compiler_error(
                    "Account " ~ account.name ~ ": " ~ relation ~ " has no"
                    ~ " column " ~ name | upper ~ ", which Snowledger needs."
                    ~ " Columns present: " ~ present | join(", ") | upper
                ) }}
            {%- else -%}
                {%- do columns.append(
                    "cast(null as " ~ snowledger_type(data_type) ~ ") as " ~ name
                ) -%}
            {%- endif -%}
        {%- endfor -%}

        {%- set select -%}
    select
        cast('{{ account.name }}' as {{ dbt.type_string() }}) as account_name,
        cast('{{ account.region }}' as {{ dbt.type_string() }}) as region,
        {{ columns | join(",\n        ") }}
    from {{ relation }}
        {%- endset -%}
        {%- do selects.append(select) -%}
    {%- endfor -%}

    {%- if selects | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "No configured account has " ~ view ~ ". Check var snowledger_accounts."
        ) }}
    {%- endif -%}

    {{ selects | join("\n\n    union all\n") }}
{% endmacro %}


{# The relation holding `view` for one configured account. The primary account
   goes through source() so that lineage and freshness see it. #}
{% macro snowledger_account_relation(account, view) %}
    {%- set primary = var('snowledger_accounts')[0] -%}
    {%- if account.name == primary.name -%}
        {{ return(source('account_usage', view)) }}
    {%- endif -%}
    {{ return(api.Relation.create(
        database=account.database, schema=account.schema, identifier=view
    )) }}
{% endmacro %}


{# Lower-case names of the columns a relation has; empty if it does not exist. #}
{% macro snowledger_relation_columns(relation) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set found = adapter.get_relation(
        database=relation.database,
        schema=relation.schema,
        identifier=relation.identifier
    ) -%}
    {%- if found is none -%}{{ return([]) }}{%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(found) -%}
        {%- do names.append(column.name | lower) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{# (name, Snowflake type) pairs of a source table, in contract order. #}
{% macro snowledger_source_contract(source_name, table_name) %}
    {%- set pairs = [] -%}
    {%- if not execute -%}{{ return(pairs) }}{%- endif -%}
    {%- set node = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name)
        | first -%}
    {%- for column in node.columns.values() -%}
        {%- do pairs.append((column.name | lower, column.data_type)) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}
