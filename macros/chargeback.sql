{#
    Attribution of int_chargeback_lines, one reading at a time. These render
    parts of that model and name its CTEs (named_keys, object_owners_as_of,
    object_owners_today, entity_codes, entity_status); they are macros so
    that the as-of and the restated readings are the same SQL.
#}

{#
    Joins the owners of one kind of object (user, role, warehouse, database,
    schema) to the attribution keys, on the day for the as-of reading.
#}
{% macro chargeback_owner_join(alias, object_type, column, owners) %}
    left join {{ owners }} as {{ alias }}
        on
            {%- if owners == 'object_owners_as_of' %}
            named_keys.usage_date = {{ alias }}.usage_date and
            {%- endif %}
            named_keys.account_name = {{ alias }}.account_name
            and {{ alias }}.object_type = '{{ object_type }}'
            and upper(named_keys.{{ column }}) = {{ alias }}.object_name
{% endmacro %}

{#
    The entity and the rule that won for every attribution key, in one
    reading: 'as_of' (signals valid on the day) or 'today' (signals valid
    today, retired entities' query tags falling through to the next rule).
#}
{% macro chargeback_attribution(reading) %}
    {%- set owners = 'object_owners_as_of' if reading == 'as_of'
        else 'object_owners_today' -%}
    {%- set query_tag_entity = 'named_keys.query_team' if reading == 'as_of'
        else "case when coalesce(query_team_status.is_current, true)"
            ~ " then named_keys.query_team end" -%}
    {%- set naming = 'naming_as_of' if reading == 'as_of'
        else 'naming_today' -%}
    {%- set candidates = [
        (query_tag_entity, 'query tag', 'query'),
        ('coalesce(user_owner.tag_entity_id, user_owner.seed_entity_id)',
            'user', 'query'),
        ('coalesce(role_owner.tag_entity_id, role_owner.seed_entity_id)',
            'role', 'query'),
        ('warehouse_owner.tag_entity_id', 'warehouse tag', 'any'),
        ('database_owner.tag_entity_id', 'database tag', 'any'),
        ('schema_owner.tag_entity_id', 'schema tag', 'any'),
        ('warehouse_owner.seed_entity_id', 'ownership rule', 'any'),
        ('database_owner.seed_entity_id', 'ownership rule', 'any'),
        ('schema_owner.seed_entity_id', 'ownership rule', 'any'),
        (naming ~ '.entity_id', 'naming convention', 'any'),
    ] -%}
    select
        named_keys.*,
        case
            {%- for expression, rule, scope in candidates %}
            when
                {%- if scope == 'query' %} named_keys.cost_kind = 'query' and
                {%- endif %} {{ expression }} is not null
                then {{ expression }}
            {%- endfor %}
        end as entity_id,
        case
            {%- for expression, rule, scope in candidates %}
            when
                {%- if scope == 'query' %} named_keys.cost_kind = 'query' and
                {%- endif %} {{ expression }} is not null
                then '{{ rule }}'
            {%- endfor %}
        end as attribution_rule,
        coalesce(
            warehouse_owner.tag_entity_id,
            warehouse_owner.seed_entity_id,
            {{ naming }}.entity_id
        ) as warehouse_owner_entity_id,
        coalesce(
            database_owner.tag_entity_id, database_owner.seed_entity_id
        ) as database_owner_entity_id

    from named_keys

    {%- set object_types = [
        'user', 'role', 'warehouse', 'database', 'schema',
    ] %}
    {%- for object_type in object_types %}
    {{ chargeback_owner_join(
        object_type ~ '_owner', object_type, object_type ~ '_name', owners
    ) }}
    {%- endfor %}

    left join entity_status as query_team_status
        on named_keys.query_team = query_team_status.entity_id

    left join entity_codes as {{ naming }}
        on
            {{ dbt.split_part('named_keys.warehouse_name', "'_'", 2) }}
            = {{ naming }}.team_code
            {%- if reading == 'as_of' %}
            and named_keys.usage_date >= {{ naming }}.valid_from
            and (
                {{ naming }}.valid_to is null
                or named_keys.usage_date < {{ naming }}.valid_to
            )
            {%- else %}
            and {{ naming }}.team_code in (
                select entity_codes.team_code
                from entity_codes
                inner join entity_status
                    on entity_codes.entity_id = entity_status.entity_id
                where entity_status.is_current
            )
            {%- endif %}
{% endmacro %}



{#
    One reading of chargeback_monthly: the month's costs of each entity of
    that reading, from chargeback_daily (CTE daily_months), split into
    direct and shared, reserved and on-demand.
#}
{% macro chargeback_monthly_reading(
    reading, entity, team, department, cost_center, shared
) %}
    select
        month_start,
        '{{ reading }}' as reading,
        {{ entity }} as entity_id,
        max_by({{ team }}, usage_date) as team_name,
        max_by({{ department }}, usage_date) as department_name,
        max_by({{ cost_center }}, usage_date) as cost_center,
        min(currency) as currency,
        sum(credits) as credits,
        sum(cost) as list_cost,
        sum(case when not {{ shared }} then cost else 0 end) as direct_cost,
        sum(case when {{ shared }} then cost else 0 end) as shared_cost,
        sum(case when cost_type = 'RESERVED' then cost else 0 end)
            as reserved_cost,
        sum(case when cost_type = 'ON_DEMAND' then cost else 0 end)
            as on_demand_cost

    from daily_months

    group by 1, 2, 3
{% endmacro %}


{#
    True where `column` matches any of the SQL LIKE `patterns`; false for a
    NULL column or no patterns.
#}
{% macro like_any(column, patterns) -%}
    {%- if patterns | length == 0 -%}
    false
    {%- else -%}
    coalesce(
        {%- for pattern in patterns %}
        {{ column }} like '{{ pattern | replace("'", "''") }}'
        {%- if not loop.last %} or{% endif %}
        {%- endfor %},
        false
    )
    {%- endif -%}
{%- endmacro %}


{#
    The join condition of an object to the ownership signals (CTE or alias
    `signals`, int_ownership_signals) that hold for it: warehouse tags by
    id, everything else by name; a rule without an account holds in every
    account. On `day` for the as-of reading (the first version of a tag
    also stands for earlier days); today, without `day`.
#}
{% macro ownership_signal_holds(
    object_type, object_id, object_name, account_name, day=none
) -%}
    signals.object_type = {{ object_type }}
    and (
        {{ object_id }} = signals.object_id
        or (
            signals.object_id is null
            and {{ object_name }} = signals.object_name
        )
    )
    and (
        signals.account_name is null
        or {{ account_name }} = signals.account_name
    )
    {%- if day is not none %}
    and ({{ day }} >= signals.valid_from or signals.is_first_version)
    and (signals.valid_to is null or {{ day }} < signals.valid_to)
    {%- else %}
    and (signals.valid_to is null or today.restated_date < signals.valid_to)
    and (
        today.restated_date >= signals.valid_from
        or signals.signal_source = 'tag'
    )
    {%- endif %}
{%- endmacro %}
