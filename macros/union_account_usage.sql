{#
    Reads one ACCOUNT_USAGE view from every configured account and unions the
    copies, with `account_name` and `region` first on every row.

    Columns are read by name, in the order of the source contract
    (models/staging/account_usage/__sources.yml), so extra columns in a copy are
    ignored and column order never matters. A documented column that a copy
    lacks (older bundles, another producer) is read as a typed NULL; a column
    named in `required` that is missing stops the build with a message naming
    the account, the view and the column.

    Every column is cast to its contract type inside each copy, before the
    union, so that copies written with other types (DOUBLE credits next to
    DECIMAL ones, a numeric code stored as text) neither fail the union nor
    degrade the other copies to a common supertype. `types` overrides the
    contract type of some columns, e.g. {'error_code': 'varchar'} where
    Snowflake's documented type is unreliable.
#}
{% macro union_account_usage(view, required=[], types={}) %}
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

        {%- set columns = snowledger_contract_columns(
            contract, present, required, types,
            "Account " ~ account.name ~ ": " ~ relation
        ) -%}

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
            "No configured account has " ~ view
            ~ ". Check var snowledger_accounts."
        ) }}
    {%- endif -%}

    {{ selects | join("\n\n    union all\n") }}
{% endmacro %}


{#
    Reads one ORGANIZATION_USAGE view by the names of the source contract, with
    the same tolerance as union_account_usage: extra columns are ignored, a
    missing optional column is a typed NULL, a missing required column or view
    stops the build with a message saying what to fix.
#}
{% macro organization_usage_source(view, required=[], types={}) %}
    {%- set contract = snowledger_source_contract(
        'organization_usage', view
    ) -%}
    {%- set relation = source('organization_usage', view) -%}
    {%- set present = snowledger_relation_columns(relation) -%}

    {%- if execute and present | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            relation ~ " does not exist or is not readable. Grant the role"
            ~ " access to SNOWFLAKE.ORGANIZATION_USAGE (ORGADMIN or the"
            ~ " ORGANIZATION_USAGE_VIEWER database role), or point vars"
            ~ " snowledger_organization_usage_database/_schema at a copy."
        ) }}
    {%- endif -%}

    {%- set columns = snowledger_contract_columns(
        contract, present, required, types, relation | string
    ) -%}
    select
        {{ columns | join(",\n        ") }}
    from {{ relation }}
{% endmacro %}


{#
    The select list reading a relation by contract: each contract column cast
    to its type (or the type given in `types`), a typed NULL for a missing
    optional column, and a compiler error for a missing required one. `label`
    names the relation in that error.

    Semi-structured columns (VARIANT, OBJECT, ARRAY) are read as JSON text:
    both engines cast them to text the same way, and staging models parse the
    few they need (a byte count, a flag) with ordinary casts.
#}
{% macro snowledger_contract_columns(
    contract, present, required, types, label
) %}
    {%- set columns = [] -%}
    {%- for name, data_type in contract -%}
        {%- if data_type | upper in ('VARIANT', 'OBJECT', 'ARRAY') -%}
            {%- set default_type = dbt.type_string() -%}
        {%- else -%}
            {%- set default_type = snowledger_type(data_type) -%}
        {%- endif -%}
        {%- set target_type = types.get(name, default_type) -%}
        {%- set quoted = snowledger_quote_reserved(name) -%}
        {%- if name in present -%}
            {%- do columns.append(
                "cast(" ~ quoted ~ " as " ~ target_type ~ ") as " ~ quoted
            ) -%}
        {%- elif name in required -%}
            {{ exceptions.raise_compiler_error(
                label ~ " has no column " ~ name | upper ~ ", which Snowledger"
                ~ " needs. Load a copy of the view that has it (select it by"
                ~ " name from SNOWFLAKE). Columns present: "
                ~ present | join(", ") | upper
            ) }}
        {%- else -%}
            {%- do columns.append(
                "cast(null as " ~ target_type ~ ") as " ~ quoted
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}


{#
    A column name as it can be written in SQL: Snowflake reserves a few words
    that its own views use as column names (METERING_HISTORY.ROWS); those are
    quoted in upper case, which both engines resolve to the same column.
#}
{% macro snowledger_quote_reserved(name) %}
    {%- set reserved = [
        'account', 'all', 'alter', 'and', 'any', 'as', 'between', 'by',
        'case', 'cast', 'check', 'column', 'connect', 'connection',
        'constraint', 'create', 'cross', 'current', 'current_date',
        'current_time', 'current_timestamp', 'current_user', 'database',
        'delete', 'distinct', 'drop', 'else', 'exists', 'false',
        'following', 'for', 'from', 'full', 'grant', 'group', 'gscluster',
        'having', 'ilike', 'in', 'increment', 'inner', 'insert',
        'intersect', 'into', 'is', 'issue', 'join', 'lateral', 'left',
        'like', 'localtime', 'localtimestamp', 'minus', 'natural', 'not',
        'null', 'of', 'on', 'or', 'order', 'organization', 'qualify',
        'regexp', 'revoke', 'right', 'rlike', 'row', 'rows', 'sample',
        'schema', 'select', 'set', 'some', 'start', 'table', 'tablesample',
        'then', 'to', 'trigger', 'true', 'try_cast', 'union', 'unique',
        'update', 'using', 'values', 'view', 'when', 'whenever', 'where',
        'with'
    ] -%}
    {%- if name | lower in reserved -%}
        {{ return('"' ~ name | upper ~ '"') }}
    {%- endif -%}
    {{ return(name) }}
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


{# Lower-case names of the columns a relation has; empty if it does not
   exist. #}
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
