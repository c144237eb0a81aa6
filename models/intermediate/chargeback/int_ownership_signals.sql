{#
    Every signal that says which entity owns a Snowflake object, with the
    days it holds: TEAM tags (from the snapshot of TAG_REFERENCES) and the
    effective-dated ownership rules of the seed. One row per signal and
    version.
#}

with

tag_history as (

    select * from {{ ref('snap_tag_references') }}

),

ownership_rules as (

    select * from {{ ref('ownership_rules') }}

),

team_tags as (

    select
        account_name,
        lower(object_domain) as object_type,
        {# A schema is named DATABASE.SCHEMA, as in the ownership rules. #}
        case
            when object_domain = 'SCHEMA'
                then object_database || '.' || object_name
            else object_name
        end as object_name,
        {# Warehouses are matched by id: a renamed warehouse keeps its tags. #}
        case when object_domain = 'WAREHOUSE' then object_id end as object_id,
        lower(trim(tag_value)) as entity_id,
        cast(dbt_valid_from as date) as valid_from,
        cast(dbt_valid_to as date) as valid_to,
        {# The first version seen also stands for the days before the first
           snapshot, for want of history: is_first_version marks it. #}
        row_number() over (
            partition by account_name, object_domain, object_id
            order by dbt_valid_from
        ) = 1 as is_first_version

    from tag_history

    where
        tag_name = '{{ var("snowledger_team_tag") }}'
        and object_domain in ('WAREHOUSE', 'USER', 'ROLE', 'DATABASE', 'SCHEMA')
        and nullif(trim(tag_value), '') is not null

),

signals as (

    select
        account_name,
        object_type,
        object_name,
        object_id,
        entity_id,
        valid_from,
        valid_to,
        'tag' as signal_source,
        is_first_version

    from team_tags

    union all

    select
        nullif(account_name, '') as account_name,
        object_type,
        upper(object_name) as object_name,
        cast(null as {{ dbt.type_bigint() }}) as object_id,
        lower(entity_id) as entity_id,
        valid_from,
        valid_to,
        'seed' as signal_source,
        false as is_first_version

    from ownership_rules

),

final as (

    select
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(object_type as {{ dbt.type_string() }}) as object_type,
        cast(object_name as {{ dbt.type_string() }}) as object_name,
        cast(object_id as {{ dbt.type_bigint() }}) as object_id,
        cast(entity_id as {{ dbt.type_string() }}) as entity_id,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(signal_source as {{ dbt.type_string() }}) as signal_source,
        cast(is_first_version as boolean) as is_first_version

    from signals

)

select * from final
