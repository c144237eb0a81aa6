{#
    Tags defined in each account, current and dropped, one row per account
    and tag id.
#}

with

source as (

    {{ union_account_usage('tags', required=['tag_id', 'tag_name']) }}

),

renamed as (

    select
        account_name,
        region,
        cast(tag_id as {{ dbt.type_bigint() }}) as tag_id,
        cast(tag_name as {{ dbt.type_string() }}) as tag_name,
        cast(tag_database_id as {{ dbt.type_bigint() }}) as tag_database_id,
        cast(tag_database as {{ dbt.type_string() }}) as tag_database,
        cast(tag_schema_id as {{ dbt.type_bigint() }}) as tag_schema_id,
        cast(tag_schema as {{ dbt.type_string() }}) as tag_schema,
        cast(tag_owner as {{ dbt.type_string() }}) as owner_role_name,
        cast(owner_role_type as {{ dbt.type_string() }}) as owner_role_type,
        cast(tag_comment as {{ dbt.type_string() }}) as tag_comment,
        cast(allowed_values as {{ dbt.type_string() }})
            as allowed_values,  -- noqa: RF04
        cast(propagate as {{ dbt.type_string() }}) as propagate,
        cast(on_conflict as {{ dbt.type_string() }}) as on_conflict,
        {{ to_utc('created') }} as created_at,
        {{ to_utc('last_altered') }} as last_altered_at,
        {{ to_utc('deleted') }} as deleted_at

    from source

)

select * from renamed
