{#
    History of Snowflake's object tags. TAG_REFERENCES holds only the
    current assignment, so a re-tag would silently rewrite last quarter's
    chargeback; this snapshot keeps every value with the time it was first
    and last seen, from the first run on. One row per object, tag and
    version.
#}
{% snapshot snap_tag_references %}

{{ config(
    unique_key='tag_reference_key',
    strategy='check',
    check_cols=['tag_value'],
    hard_deletes='invalidate',
) }}

    with

    tag_references as (

        select * from {{ ref('stg_account_usage__tag_references') }}

    ),

    object_tags as (

        {# Column-level tags say nothing about ownership. #}
        select
            account_name
            || '|' || object_domain
            || '|' || cast(object_id as {{ dbt.type_string() }})
            || '|' || tag_name as tag_reference_key,
            account_name,
            object_domain,
            object_id,
            object_database,
            object_schema,
            object_name,
            tag_name,
            tag_value

        from tag_references

        where
            column_name is null
            and object_deleted_at is null
            and object_id is not null

        qualify row_number() over (
            partition by account_name, object_domain, object_id, tag_name
            order by tag_value
        ) = 1

    )

    select * from object_tags

{% endsnapshot %}
