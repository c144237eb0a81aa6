{#
    Who can be charged: one row per entity and version (SCD Type 2). The
    registered entities of the seed with their effective dates; every
    entity that Snowflake's signals name but nobody registered, with its
    department and cost centre from the tags where present; and
    UNALLOCATED, which holds what no rule attributes.
#}

with

registered as (

    select * from {{ ref('chargeback_entity_registry') }}

),

attributed_lines as (

    select * from {{ ref('int_chargeback_lines') }}

),

tag_history as (

    select * from {{ ref('snap_tag_references') }}

),

today as (

    select cast({{ dbt.current_timestamp() }} as date) as restated_date

),

current_object_tags as (

    {# What the objects that carry a team's TEAM tag say of its department
       and cost centre today. #}
    select
        account_name,
        object_domain,
        object_id,
        max(
            case
                when tag_name = '{{ var("snowledger_team_tag") }}'
                    then lower(trim(tag_value))
            end
        ) as entity_id,
        max(
            case
                when tag_name = '{{ var("snowledger_department_tag") }}'
                    then tag_value
            end
        ) as department_name,
        max(
            case
                when tag_name = '{{ var("snowledger_cost_center_tag") }}'
                    then tag_value
            end
        ) as cost_center

    from tag_history

    where dbt_valid_to is null

    group by 1, 2, 3

),

tagged_teams as (

    select
        entity_id,
        max(department_name) as department_name,
        max(cost_center) as cost_center

    from current_object_tags

    where entity_id is not null

    group by 1

),

seen_entities as (

    select
        entity_id,
        min(usage_date) as first_seen_date

    from (
        select
            entity_id,
            usage_date
        from attributed_lines
        where entity_id is not null

        union all

        select
            restated_entity_id as entity_id,
            usage_date
        from attributed_lines
        where restated_entity_id is not null
    ) as attributed

    group by 1

),

unregistered as (

    select
        seen_entities.entity_id,
        seen_entities.entity_id as team_name,
        tagged_teams.department_name,
        tagged_teams.cost_center,
        cast(null as {{ dbt.type_string() }}) as owner_email,
        cast(null as {{ dbt.type_string() }}) as parent_entity_id,
        seen_entities.first_seen_date as valid_from,
        cast(null as date) as valid_to,
        false as is_registered

    from seen_entities

    left join tagged_teams
        on seen_entities.entity_id = tagged_teams.entity_id

    where
        seen_entities.entity_id != 'UNALLOCATED'
        and seen_entities.entity_id not in (
            select registered.entity_id from registered
        )

),

unallocated as (

    select
        'UNALLOCATED' as entity_id,
        'Unallocated' as team_name,
        cast(null as {{ dbt.type_string() }}) as department_name,
        cast(null as {{ dbt.type_string() }}) as cost_center,
        cast(null as {{ dbt.type_string() }}) as owner_email,
        cast(null as {{ dbt.type_string() }}) as parent_entity_id,
        cast('1900-01-01' as date) as valid_from,
        cast(null as date) as valid_to,
        false as is_registered

),

versions as (

    select
        entity_id,
        team_name,
        department_name,
        cost_center,
        owner_email,
        parent_entity_id,
        valid_from,
        valid_to,
        true as is_registered

    from registered

    union all

    select * from unregistered

    union all

    select * from unallocated

),

dated_versions as (

    select
        versions.*,
        versions.valid_from <= today.restated_date
        and (
            versions.valid_to is null
            or today.restated_date < versions.valid_to
        ) as is_current

    from versions

    cross join today

),

final as (

    select
        cast(entity_id as {{ dbt.type_string() }}) as entity_id,
        cast(team_name as {{ dbt.type_string() }}) as team_name,
        cast(department_name as {{ dbt.type_string() }}) as department_name,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(owner_email as {{ dbt.type_string() }}) as owner_email,
        cast(parent_entity_id as {{ dbt.type_string() }}) as parent_entity_id,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(is_current as boolean) as is_current,
        {# Today's structure: the current version, else (a retired entity)
           its last one. #}
        cast(
            row_number() over (
                partition by entity_id
                order by is_current desc, valid_from desc
            ) = 1
            as boolean
        ) as is_latest_version,
        cast(is_registered as boolean) as is_registered,
        cast(
            case
                when entity_id = 'UNALLOCATED' then 'unallocated'
                when is_registered then 'registered'
                else 'unregistered'
            end
            as {{ dbt.type_string() }}
        ) as registration_status

    from dated_versions

)

select * from final
