{#
    Current tag assignments, one row per account, tag, object domain, object
    and column. Current state only: snapshots keep the history.
#}

with

source as (

    {{ union_account_usage(
        'tag_references',
        required=['tag_name', 'tag_value', 'domain', 'object_name']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(tag_id as {{ dbt.type_bigint() }}) as tag_id,
        cast(tag_database as {{ dbt.type_string() }}) as tag_database,
        cast(tag_schema as {{ dbt.type_string() }}) as tag_schema,
        cast(tag_name as {{ dbt.type_string() }}) as tag_name,
        cast(tag_value as {{ dbt.type_string() }}) as tag_value,
        cast(domain as {{ dbt.type_string() }}) as object_domain,
        cast(object_id as {{ dbt.type_bigint() }}) as object_id,
        cast(object_database as {{ dbt.type_string() }}) as object_database,
        cast(object_schema as {{ dbt.type_string() }}) as object_schema,
        cast(object_name as {{ dbt.type_string() }}) as object_name,
        cast(column_id as {{ dbt.type_bigint() }}) as column_id,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        {{ to_utc('object_deleted') }} as object_deleted_at,
        cast(apply_method as {{ dbt.type_string() }}) as apply_method

    from source

)

select * from renamed
