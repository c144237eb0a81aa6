{#
    Audit history of the seed chargeback_entity_registry: every edit to the
    file, with the time a build first saw it. Attribution reads the seed's
    own effective dates; this snapshot answers "what did the file say when
    we invoiced?".
#}
{% snapshot snap_chargeback_entity_registry %}

{{ config(
    unique_key='snapshot_key',
    strategy='check',
    check_cols='all',
    hard_deletes='invalidate',
) }}

    with

    seed_rows as (

        select * from {{ ref('chargeback_entity_registry') }}

    ),

    keyed as (

        select
            entity_id,
            team_name,
            department_name,
            cost_center,
            owner_email,
            parent_entity_id,
            valid_from,
            valid_to,
            entity_id
            || '|' || cast(valid_from as {{ dbt.type_string() }})
                as snapshot_key

        from seed_rows

    )

    select * from keyed

{% endsnapshot %}
