{#
    Audit history of the seed ownership_rules: every edit to the file, with the
    time a build first saw it. Attribution reads the seed's own effective
    dates; this snapshot answers "what did the file say when we invoiced?".
#}
{% snapshot snap_ownership_rules %}

{{ config(
    unique_key='snapshot_key',
    strategy='check',
    check_cols='all',
    hard_deletes='invalidate',
) }}

    with

    seed_rows as (

        select * from {{ ref('ownership_rules') }}

    ),

    keyed as (

        select
            object_type,
            object_name,
            account_name,
            entity_id,
            valid_from,
            valid_to,
            object_type || '|' || object_name
            || '|' || coalesce(account_name, '')
            || '|' || cast(valid_from as {{ dbt.type_string() }})
                as snapshot_key

        from seed_rows

    )

    select * from keyed

{% endsnapshot %}
